from __future__ import annotations

import pytest
from django.core.management import call_command

from bakohumas.core.data import load_work_units
from bakohumas.core.models import Level, WorkUnit

KALTIM = {
    "64.01": "KPU Kabupaten Paser",
    "64.02": "KPU Kabupaten Kutai Kartanegara",
    "64.03": "KPU Kabupaten Berau",
    "64.07": "KPU Kabupaten Kutai Barat",
    "64.08": "KPU Kabupaten Kutai Timur",
    "64.09": "KPU Kabupaten Penajam Paser Utara",
    "64.11": "KPU Kabupaten Mahakam Ulu",
    "64.71": "KPU Kota Balikpapan",
    "64.72": "KPU Kota Samarinda",
    "64.74": "KPU Kota Bontang",
}


@pytest.mark.django_db
def test_default_load_is_kaltim_tree() -> None:
    load_work_units()
    assert WorkUnit.objects.count() == 12
    prov = WorkUnit.objects.get(code="64")
    assert prov.name == "KPU Provinsi Kalimantan Timur"
    assert prov.level == Level.PROVINCE and prov.province_id == prov.pk
    assert prov.parent is not None and prov.parent.level == Level.NATIONAL
    names = dict(WorkUnit.objects.filter(parent=prov).values_list("code", "name"))
    assert names == KALTIM
    assert set(WorkUnit.objects.filter(parent=prov).values_list("time_zone", flat=True)) == {
        "Asia/Makassar"
    }


@pytest.mark.django_db
def test_national_load_553_idempotent(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("load_work_units", "--national")
    assert WorkUnit.objects.count() == 553
    assert WorkUnit.objects.filter(level=Level.PROVINCE).count() == 38
    assert WorkUnit.objects.get(code="11").name == "KIP Aceh"
    assert WorkUnit.objects.get(code="11.01").name == "KIP Kabupaten Aceh Selatan"
    assert WorkUnit.objects.get(code="11.01").kind == "KIP"
    assert WorkUnit.objects.get(code="31.72").name == "KPU Kota Administrasi Jakarta Utara"
    assert WorkUnit.objects.get(code="94").time_zone == "Asia/Jayapura"
    assert WorkUnit.objects.get(code="32").time_zone == "Asia/Jakarta"
    before = list(WorkUnit.objects.values_list("id", "code", "name", "updated_at"))
    capsys.readouterr()
    call_command("load_work_units", "--national")
    assert "0 created, 0 updated, 553 unchanged" in capsys.readouterr().out
    assert list(WorkUnit.objects.values_list("id", "code", "name", "updated_at")) == before
