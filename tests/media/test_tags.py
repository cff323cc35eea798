"""{% responsive_image %} and the URL filters."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from django.template import Context, Template

from bakohumas.media.models import MediaAsset
from tests.media.conftest import PDF, animated_gif, image_bytes

Ingest = Callable[..., MediaAsset]


def render(source: str, **context: Any) -> str:
    return Template("{% load media_tags %}" + source).render(Context(context))


def attrs(html: str) -> dict[str, str]:
    return dict(re.findall(r'(\w[\w-]*)="([^"]*)"', html))


def urls(asset: MediaAsset) -> dict[str, str]:
    return {r.name: r.file.url for r in asset.renditions.all()}


def test_srcset_from_renditions_and_original(ingest: Ingest) -> None:
    asset = ingest(image_bytes("JPEG", (1200, 600)), alt_text='Rapat "pleno" <KPU>')
    html = render(
        '{% responsive_image asset sizes="(min-width: 992px) 720px, 100vw" class="img-fluid" %}',
        asset=asset,
    )
    assert html.startswith("<img ") and "<KPU>" not in html
    a = attrs(html)
    by_name = urls(asset)
    assert a["srcset"] == (
        f"{by_name['w480']} 480w, {by_name['w960']} 960w, {asset.file.url} 1200w"
    )
    assert a["src"] == by_name["w960"] and (a["width"], a["height"]) == ("960", "480")
    assert a["sizes"] == "(min-width: 992px) 720px, 100vw"
    assert a["alt"] == "Rapat &quot;pleno&quot; &lt;KPU&gt;"
    assert (a["loading"], a["decoding"], a["class"]) == ("lazy", "async", "img-fluid")


def test_wide_original_left_out_of_srcset(ingest: Ingest) -> None:
    asset = ingest(image_bytes("PNG", (2400, 1200)))
    a = attrs(render("{% responsive_image asset %}", asset=asset))
    assert asset.file.url not in a["srcset"] and "1600w" in a["srcset"]
    assert a["sizes"] == "100vw"


def test_small_image_has_no_srcset(ingest: Ingest) -> None:
    asset = ingest(image_bytes("PNG", (300, 200)), alt_text="Logo")
    a = attrs(render('{% responsive_image asset loading="eager" onerror="x()" %}', asset=asset))
    assert a["src"] == asset.file.url and "srcset" not in a
    assert (a["width"], a["height"], a["alt"], a["loading"]) == ("300", "200", "Logo", "eager")
    assert "onerror" not in a  # only a few safe attributes pass


def test_animation_uses_the_original(ingest: Ingest) -> None:
    asset = ingest(animated_gif(size=(600, 300)), name="meme.gif")
    a = attrs(render("{% responsive_image asset %}", asset=asset))
    assert a["src"] == asset.file.url and "srcset" not in a


def test_non_images_render_nothing(ingest: Ingest) -> None:
    asset = ingest(PDF, name="a.pdf")
    assert render("{% responsive_image asset %}|{{ asset|thumb_url }}", asset=asset) == "|"
    assert render("{% responsive_image None %}") == ""


def test_url_filters(ingest: Ingest) -> None:
    big = ingest(image_bytes("PNG", (2000, 1000)))
    small = ingest(image_bytes("PNG", (500, 250)))
    out = render(
        "{{ big|thumb_url }} {{ big|rendition_url:'w1600' }} {{ small|rendition_url:'w1600' }} "
        "{{ small|rendition_url:'w480' }} {{ 'video'|media_icon }}",
        big=big,
        small=small,
    ).split()
    assert out == [
        urls(big)["thumb"],
        urls(big)["w1600"],
        small.file.url,
        urls(small)["w480"],
        "bi-film",
    ]


def test_prefetched_renditions_need_no_query(
    ingest: Ingest, django_assert_num_queries: Any
) -> None:
    for _i in range(3):
        ingest(image_bytes("PNG", (1000, 500)))
    assets = list(MediaAsset.objects.prefetch_related("renditions"))
    with django_assert_num_queries(0):
        html = render(
            "{% for a in assets %}{% responsive_image a %}{{ a|thumb_url }}{% endfor %}",
            assets=assets,
        )
    assert html.count("<img") == 3
