"""Channel credentials at rest: Fernet under CREDENTIALS_KEY, rotation, and an unreadable
secret turning into "reconnect" instead of a silent failure."""

from __future__ import annotations

from typing import Any

import pytest
from cryptography.fernet import Fernet

from bakohumas.dissemination import crypto
from bakohumas.dissemination.adapters.base import Adapter, ReconnectRequired
from bakohumas.dissemination.models import ChannelAccount

SECRET = {"access_token": "EAAG-very-secret-token-1234", "app_secret": "s3cr3t-app"}


def test_round_trip_and_nothing_readable_at_rest(settings: Any) -> None:
    settings.CREDENTIALS_KEY = Fernet.generate_key().decode()
    ciphertext = crypto.encrypt(SECRET)
    assert crypto.decrypt(ciphertext) == SECRET
    assert "very-secret" not in ciphertext and "s3cr3t" not in ciphertext
    # Fernet tokens carry a random IV: the same secret never encrypts the same way twice.
    assert crypto.encrypt(SECRET) != ciphertext


def test_a_passphrase_works_as_a_key(settings: Any) -> None:
    settings.CREDENTIALS_KEY = "kata sandi panjang KPU Samarinda"
    assert crypto.decrypt(crypto.encrypt(SECRET)) == SECRET


def test_without_a_key_the_secret_key_derives_one(settings: Any) -> None:
    settings.CREDENTIALS_KEY = ""
    ciphertext = crypto.encrypt(SECRET)
    assert crypto.decrypt(ciphertext) == SECRET
    settings.SECRET_KEY = "another-secret-key-" + "x" * 40
    with pytest.raises(crypto.CredentialsUnreadable):
        crypto.decrypt(ciphertext)


def test_key_rotation_new_key_first_old_key_still_decrypts(settings: Any) -> None:
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.CREDENTIALS_KEY = old
    saved_with_old = crypto.encrypt(SECRET)

    settings.CREDENTIALS_KEY = f"{new}, {old}"
    assert crypto.decrypt(saved_with_old) == SECRET
    saved_with_new = crypto.encrypt(SECRET)

    settings.CREDENTIALS_KEY = new  # the old key retired
    assert crypto.decrypt(saved_with_new) == SECRET
    with pytest.raises(crypto.CredentialsUnreadable):
        crypto.decrypt(saved_with_old)


@pytest.mark.parametrize("ciphertext", ["not-a-token", "gAAAAA" + "A" * 80])
def test_garbage_is_unreadable(settings: Any, ciphertext: str) -> None:
    settings.CREDENTIALS_KEY = Fernet.generate_key().decode()
    with pytest.raises(crypto.CredentialsUnreadable):
        crypto.decrypt(ciphertext)


def test_tampered_ciphertext_is_unreadable(settings: Any) -> None:
    settings.CREDENTIALS_KEY = Fernet.generate_key().decode()
    ciphertext = crypto.encrypt(SECRET)
    flipped = ciphertext[:-6] + ("A" if ciphertext[-6] != "A" else "B") + ciphertext[-5:]
    with pytest.raises(crypto.CredentialsUnreadable):
        crypto.decrypt(flipped)


def test_empty_ciphertext_is_no_secret() -> None:
    assert crypto.decrypt("") == {}


def test_hint_shows_at_most_four_characters() -> None:
    assert crypto.hint(SECRET) == "…1234"
    assert crypto.hint({"pin": "1234"}) == "…"  # too short to show any of it
    assert crypto.hint({}) == ""


@pytest.mark.django_db
def test_wrong_key_makes_the_adapter_ask_for_reconnect(settings: Any, units: Any) -> None:
    settings.CREDENTIALS_KEY = Fernet.generate_key().decode()
    account = ChannelAccount.objects.create(
        unit=units["64.72"],
        kind="telegram",
        name="Kanal KPU",
        secret_ciphertext=crypto.encrypt({"bot_token": "123:abc"}),
    )
    assert Adapter(account).secret == {"bot_token": "123:abc"}

    settings.CREDENTIALS_KEY = Fernet.generate_key().decode()  # the key was replaced
    with pytest.raises(ReconnectRequired) as exc:
        _ = Adapter(account).secret
    assert "cannot be read" in exc.value.reason
    assert isinstance(exc.value.__cause__, crypto.CredentialsUnreadable)
