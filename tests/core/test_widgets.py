from __future__ import annotations

from django import forms

from bakohumas.core.widgets import FastSelect

CHOICES = [("", "All"), ("1", "KPU <Kota> Samarinda"), ("2", "KPU Kabupaten Berau")]


def test_fast_select_renders_like_django_select() -> None:
    class Slow(forms.Form):
        unit = forms.ChoiceField(
            choices=CHOICES, required=False, widget=forms.Select(attrs={"class": "form-select"})
        )

    class Fast(forms.Form):
        unit = forms.ChoiceField(
            choices=CHOICES, required=False, widget=FastSelect(attrs={"class": "form-select"})
        )

    def normalise(html: str) -> str:
        return "".join(html.split())

    for data in ({"unit": "2"}, {}):
        slow = str(Slow(data=data)["unit"])
        fast = str(Fast(data=data)["unit"])
        assert normalise(fast) == normalise(slow)
    assert "KPU &lt;Kota&gt; Samarinda" in str(Fast()["unit"])
    assert 'value="2" selected' in str(Fast(data={"unit": "2"})["unit"])
