"""The shipped JSON Schema is generated from spec.py and agrees with the validator."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from deadlinecal.dataset.load import _PlainLoader
from deadlinecal.dataset.schema import schema_text
from deadlinecal.dataset.validate import load_dataset
from deadlinecal.errors import DataError

from .conftest import CASES, DEFAULT_DATA, ROOT
from .helpers import dataset_yaml, program

SHIPPED = ROOT / "src" / "deadlinecal" / "schema" / "deadlinecal.schema.json"


def schema_accepts(data: bytes) -> bool:
    validator = jsonschema.Draft202012Validator(json.loads(SHIPPED.read_text()))
    return validator.is_valid(yaml.load(data.decode(), Loader=_PlainLoader))


def validator_accepts(data: bytes) -> bool:
    try:
        load_dataset(data, file="x.yaml")
    except DataError:
        return False
    return True


class TestShippedSchema:
    def test_file_is_exactly_what_spec_generates(self) -> None:
        assert SHIPPED.read_text() == schema_text()

    def test_is_a_valid_draft_2020_12_schema(self) -> None:
        jsonschema.Draft202012Validator.check_schema(json.loads(SHIPPED.read_text()))

    def test_default_data_file_points_editors_at_it(self) -> None:
        first = DEFAULT_DATA.read_text().splitlines()[0]
        assert first == ("# yaml-language-server: "
                         "$schema=../src/deadlinecal/schema/deadlinecal.schema.json")


STRUCTURAL = {
    "valid": program(windows='- opens: "mid 2026-10"\n  duration: "2-4 weeks"'),
    "valid timed": program(windows='- deadline: "2027-01-15 23:59 AoE"'),
    "valid range": program(windows='- opens: "around 2026-07..2026-08"'),
    "unknown key": program(extra="opnes: x"),
    "bad date form": program(windows='- opens: "next week"'),
    "time in opens": program(windows='- opens: "2026-10-14 10:00 UTC"'),
    "bad bool": program(windows="- rolling: yes"),
    "bad slug": program(id="Bad_Id"),
    "bad link": program(extra="link: javascript:alert(1)"),
    "bad duration": program(windows='- opens: "2026-10"\n  duration: "a while"'),
    "valid: empty eligibility (the source does not say)": program(eligibility="[]"),
    "valid short name": program(extra="short: Acme P1"),
    "number for day": program(extra="follow_up_days: 0"),
}


class TestValidatorAndSchemaAgree:
    @pytest.mark.parametrize("case", sorted(STRUCTURAL))
    def test_on_structural_cases(self, case: str) -> None:
        data = dataset_yaml(STRUCTURAL[case])
        assert schema_accepts(data) == validator_accepts(data)
        assert validator_accepts(data) == case.startswith("valid")

    @pytest.mark.parametrize("path", [DEFAULT_DATA, *sorted(CASES.glob("*/data.yaml"))],
                             ids=lambda p: Path(p).parent.name)
    def test_on_every_shipped_data_file(self, path: Path) -> None:
        data = path.read_bytes()
        assert schema_accepts(data) and validator_accepts(data)

    @pytest.mark.parametrize("entry", [
        program(track="quant"),  # undeclared term
        program(windows='- opens: "2026-02-30"'),  # no such day
        program(windows='- opens: "2026-10-14"\n  closes: "2026-10-01"'),  # out of order
    ])
    def test_whole_file_checks_belong_to_the_validator_alone(self, entry: str) -> None:
        data = dataset_yaml(entry)
        assert schema_accepts(data) and not validator_accepts(data)
