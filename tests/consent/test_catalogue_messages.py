"""The catalogue's texts are msgids in code, so makemessages keeps their
Danish: the generated list must match the JSON."""

from consent.catalogue_messages import MESSAGES, catalogue_texts


def test_the_msgid_list_matches_the_json_catalogue():
    assert MESSAGES == catalogue_texts()
