"""vCard import on the project's own small fixtures (no shared data needed)."""

from __future__ import annotations

from pathlib import Path

from crm_tui.interop import vcard
from crm_tui.models import Account, Contact

from .helpers import cli


def test_v21_quoted_printable_soft_breaks_and_charsets() -> None:
    data = ("BEGIN:VCARD\r\nVERSION:2.1\r\nN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:M=C3=BCller;J=C3=\r\n=BCrgen;;;\r\n"
            "TEL;WORK;VOICE:+49 30 123456\r\nEMAIL;INTERNET:j@x.test\r\nEND:VCARD\r\n").encode("ascii")
    data += "BEGIN:VCARD\r\nVERSION:2.1\r\nN;CHARSET=SHIFT_JIS:安藤;ロイド\r\nEND:VCARD\r\n".encode("shift_jis")
    cards, warnings, broken = vcard.parse(data)
    values = [vcard.card_values(card) for card in cards]
    assert values[0]["last_name"] == "Müller" and values[0]["first_name"] == "Jürgen"
    assert values[0]["phone"] == "+49 30 123456" and values[0]["email"] == "j@x.test"
    assert (values[1]["last_name"], values[1]["first_name"]) == ("安藤", "ロイド")
    assert warnings == [] and broken == []


def test_crcrlf_groups_photo_and_a_bare_cr_in_a_value() -> None:
    data = (b"BEGIN:VCARD\r\r\nVERSION:3.0\r\r\nN:Smith;Bob;;;\r\r\nORG:Smith Auto\\, Inc;Repairs\r\r\n"
            b"item1.EMAIL;type=INTERNET;type=pref:bob@smith.test\r\r\nitem1.X-ABLabel:_$!<Other>!$_\r\r\n"
            b"EMAIL;type=HOME:home@smith.test\r\r\nPHOTO;ENCODING=b;TYPE=JPEG:AAAA\r\r\n BBBB\r\r\n"
            b"NOTE:one\rtwo\r\r\nEND:VCARD")
    cards, _, _ = vcard.parse(data)
    assert len(cards) == 1
    values = vcard.card_values(cards[0])
    assert values == {"last_name": "Smith", "first_name": "Bob", "email": "bob@smith.test", "phone": "",
                      "account": "Smith Auto, Inc"}
    assert cards[0].first("NOTE").value == "one\rtwo"


def test_import_makes_accounts_reports_bad_cards(capsys, database, rep, tmp_path: Path) -> None:
    path = tmp_path / "c.vcf"
    path.write_bytes(b"BEGIN:VCARD\nVERSION:4.0\nFN:Ada Lovelace\nORG:Engines Ltd\nEMAIL:ada@engines.test\nTEL;VALUE=uri:tel:+44-20-1234567\nEND:VCARD\n"
                     b"BEGIN:VCARD\nVERSION:4.0\nFN:Charles Babbage\nORG:engines  ltd\nEMAIL:not-an-email\nEND:VCARD\n"
                     b"BEGIN:VCARD\nVERSION:4.0\nEMAIL:nobody@x.test\nEND:VCARD\n"
                     b"BEGIN:VCARD\nVERSION:4.0\nFN:Cut Short\n")
    code, out, err = cli(capsys, database, "import", "vcf", str(path))
    assert code == 0
    assert "imported 2 contacts (and 1 new account), skipped 0 duplicates, rejected 2" in out
    assert "card at line 14: rejected, a contact needs a name" in out
    assert "card at line 18: rejected, card without END:VCARD" in out
    assert "e-mail left out: 'not-an-email' is not an email address" in err
    ada = Contact.get(Contact.last_name == "Lovelace")
    assert (ada.first_name, ada.phone, ada.account.name) == ("Ada", "+44-20-1234567", "Engines Ltd")
    assert Account.select().count() == 1 and Contact.get(Contact.last_name == "Babbage").account_id == ada.account_id


def test_not_a_vcard(capsys, database, rep, tmp_path: Path) -> None:
    path = tmp_path / "x.vcf"
    path.write_text("hello\n")
    code, _, err = cli(capsys, database, "import", "vcf", str(path))
    assert code == 1 and "no vCard in it" in err
