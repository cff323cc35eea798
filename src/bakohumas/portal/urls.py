"""Public portal routes, mounted last at the site root (namespace ``portal``).

Unit codes contain dots ("64.72"); form segments are the Indonesian slugs of
``content.models.FORM_SLUGS`` ("berita", "siaran-pers" …). Fixed segments (``galeri``,
``agenda``, ``feed``, ``konten``) come before the form segment.
"""

from django.urls import path

from bakohumas.portal import feeds, sitemaps, views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("robots.txt", views.robots_txt, name="robots"),
    path("sitemap.xml", sitemaps.sitemap, name="sitemap"),
    path("sitemap-<slug:section>.xml", sitemaps.sitemap_section, name="sitemap_section"),
    path("feed/", feeds.rss, name="feed"),
    path("feed/atom/", feeds.atom, name="feed_atom"),
    path("cari/", views.search, name="search"),
    path("bahasa/", views.set_language, name="set_language"),
    path("satker/", views.unit_list, name="unit_list"),
    path("satker/<str:code>/", views.unit_home, name="unit_home"),
    path("satker/<str:code>/feed/", feeds.rss, name="unit_feed"),
    path("satker/<str:code>/feed/atom/", feeds.atom, name="unit_feed_atom"),
    path("satker/<str:code>/galeri/", views.gallery, name="gallery"),
    path("satker/<str:code>/agenda/", views.agenda, name="agenda"),
    path("satker/<str:code>/konten/<str:slug>/", views.item_detail, name="item"),
    path("satker/<str:code>/konten/<str:slug>/pdf/", views.item_pdf, name="item_pdf"),
    path("satker/<str:code>/<slug:form_slug>/", views.form_list, name="form_list"),
    path("satker/<str:code>/<slug:form_slug>/feed/", feeds.rss, name="form_feed"),
    path("satker/<str:code>/<slug:form_slug>/feed/atom/", feeds.atom, name="form_feed_atom"),
]
