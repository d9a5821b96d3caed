"""Validators of Chinese identifiers: USCC (GB 32100-2015) and phone numbers."""

import re

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from core.validators import (
    USCC_ALPHABET,
    normalize_mobile,
    normalize_phone,
    normalize_uscc,
    uscc_check_character,
)


@pytest.mark.parametrize("code", ["91350100M000100Y43", "91440300708461136T", "913101044JURQ2830X"])
def test_uscc_valid_vectors_are_accepted(code):
    assert normalize_uscc(code) == code


def test_uscc_wrong_check_character_is_refused():
    with pytest.raises(ValidationError) as info:
        normalize_uscc("91350100M000100Y4Z")
    assert info.value.code == "uscc_alphabet"  # Z is not even in the alphabet


def test_uscc_wrong_but_valid_looking_check_character_is_refused():
    with pytest.raises(ValidationError) as info:
        normalize_uscc("91350100M000100Y44")
    assert info.value.code == "uscc_checksum"


def test_uscc_is_normalised_from_lower_case_with_spaces():
    assert normalize_uscc(" 91440300 708461136t ") == "91440300708461136T"


def test_uscc_wrong_length_is_refused_with_length_in_message():
    with pytest.raises(ValidationError) as info:
        normalize_uscc("9135")
    assert info.value.code == "uscc_length"
    assert info.value.params == {"length": 4}


@given(st.text(max_size=40))
def test_uscc_any_text_is_either_valid_or_a_validation_error(text):
    try:
        code = normalize_uscc(text)
    except ValidationError:
        return
    assert len(code) == 18
    assert uscc_check_character(code[:17]) == code[17]


@given(st.text(alphabet=USCC_ALPHABET, min_size=17, max_size=17))
def test_uscc_with_computed_check_character_is_always_valid(first17):
    code = first17 + uscc_check_character(first17)
    assert normalize_uscc(code) == code


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("13800138000", "13800138000"),
        ("+86 138 0013 8000", "13800138000"),
        ("+8613800138000", "13800138000"),
        ("0086-138-0013-8000", "13800138000"),
        ("199 1234 5678", "19912345678"),
    ],
)
def test_mobile_is_normalised(raw, expected):
    assert normalize_mobile(raw) == expected


@pytest.mark.parametrize(
    "raw", ["12800138000", "1380013800", "138001380001", "abc", "", "+1 415 555 0100"]
)
def test_mobile_invalid_is_refused(raw):
    with pytest.raises(ValidationError):
        normalize_mobile(raw)


def test_phone_accepts_landline_with_area_code():
    assert normalize_phone("021-64871234") == "021-64871234"


@given(st.text(max_size=30))
def test_mobile_any_text_is_either_valid_or_a_validation_error(text):
    try:
        number = normalize_mobile(text)
    except ValidationError:
        return
    assert len(number) == 11
    assert number[0] == "1"
    assert number[1] in "3456789"


@given(st.from_regex(r"\A1[3-9]\d{9}\Z", fullmatch=True))
def test_mobile_every_mainland_number_is_accepted_with_prefix(number):
    assert normalize_mobile("+86 " + number) == number


@given(st.text(max_size=30))
def test_phone_any_text_is_either_valid_or_a_validation_error(text):
    try:
        phone = normalize_phone(text)
    except ValidationError:
        return
    assert re.fullmatch(r"1[3-9]\d{9}|0\d{2,3}-?\d{7,8}(-\d{1,6})?", phone)
