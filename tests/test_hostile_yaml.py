"""Hostile YAML is refused at the parser event that makes it hostile: before any alias is
expanded, before the composer recurses into deep nesting, before memory grows."""

from __future__ import annotations

import tracemalloc
from pathlib import Path
from typing import Any, ClassVar

import pytest
import yaml

import deadlinecal.dataset.load as load
from deadlinecal.errors import DataError

REPO = Path(__file__).resolve().parents[1]
BILLION_LAUGHS = (
    'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    + "".join(f"{chr(98 + i)}: &{chr(98 + i)} [" + ",".join([f"*{chr(97 + i)}"] * 9) + "]\n"
              for i in range(8))
)


def refusal(text: str | bytes) -> str:
    data = text.encode() if isinstance(text, str) else text
    with pytest.raises(DataError) as caught:
        load.parse_yaml(data, file="x.yaml")
    return str(caught.value)


class _PurePythonLoader(yaml.SafeLoader):
    """The pure-Python parser, which PyYAML falls back to without libyaml."""

    yaml_implicit_resolvers: ClassVar[dict[str, Any]] = load._PlainLoader.yaml_implicit_resolvers


@pytest.fixture(params=["libyaml", "pure-python"])
def parser(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run a test against both of PyYAML's parsers."""
    if request.param == "pure-python":
        monkeypatch.setattr(load, "_PlainLoader", _PurePythonLoader)
    else:
        assert load._PlainLoader.__mro__[1] is yaml.CSafeLoader
    return str(request.param)


class TestAliases:
    def test_billion_laughs_is_refused_at_the_first_anchor(self, parser: str) -> None:
        assert refusal(BILLION_LAUGHS) == (
            "x.yaml:1:4: error: anchors and aliases (&name, *name) are not supported "
            "(expected each value written out in full)")

    def test_refusal_comes_before_the_rest_is_read(self, parser: str) -> None:
        # The rest of this file is not even YAML: the parser never got there.
        assert refusal(BILLION_LAUGHS + "z: [unclosed\n" * 1000).startswith("x.yaml:1:4: ")

    def test_billion_laughs_costs_almost_no_memory(self, parser: str) -> None:
        tracemalloc.start()
        try:
            refusal(BILLION_LAUGHS)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        assert peak < 1_000_000

    def test_alias_without_anchor_is_refused(self, parser: str) -> None:
        assert refusal("a: 1\nb: *a\n").startswith("x.yaml:2:4: error: anchors and aliases")


class TestNesting:
    def test_32_levels_are_accepted(self, parser: str) -> None:
        node = load.parse_yaml(("[" * 32 + "]" * 32).encode(), file="x.yaml")
        assert isinstance(node, yaml.SequenceNode)

    def test_33_flow_levels_are_refused_at_the_33rd(self, parser: str) -> None:
        assert refusal("[" * 33 + "]" * 33) == (
            "x.yaml:1:33: error: the data nests more than 32 levels deep (expected at most 32 "
            "levels; a valid data file needs 5)")

    def test_block_sequences_on_one_line_are_counted(self, parser: str) -> None:
        # The old line-indentation heuristic saw one indent here and let 900 levels through.
        assert refusal("- " * 900 + "x\n").startswith(
            "x.yaml:1:65: error: the data nests more than 32 levels deep")

    def test_complex_keys_are_counted(self, parser: str) -> None:
        assert refusal("? " * 900 + "x\n").startswith(
            "x.yaml:1:65: error: the data nests more than 32 levels deep")

    def test_nested_mappings_are_counted(self, parser: str) -> None:
        assert refusal("{a: " * 40 + "x" + "}" * 40).startswith(
            "x.yaml:1:129: error: the data nests more than 32 levels deep")

    def test_a_hundred_thousand_levels_are_refused_cleanly(self, parser: str) -> None:
        message = refusal("[" * 100_000 + "]" * 100_000)
        assert "error: the data nests more than 32 levels deep" in message


class TestSizeLimits:
    def test_more_values_than_the_limit(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setattr(load, "MAX_NODES", 10)
        assert refusal("[" + ",".join(["1"] * 20) + "]") == (
            "x.yaml:1:20: error: the file holds more than 10 values (expected a smaller file)")

    def test_input_over_the_byte_limit(self) -> None:
        assert refusal(b"a: 1\n" + b" " * load.MAX_INPUT_BYTES) == (
            "x.yaml: error: the file is larger than the limit of 67,108,864 bytes (expected a "
            "smaller file; split the dataset in two)")


class TestTags:
    def test_python_object_tag_is_refused(self, parser: str, tmp_path: Path) -> None:
        marker = tmp_path / "pwned"
        assert refusal(f'a: !!python/object/apply:os.system ["touch {marker}"]\n') == (
            "x.yaml:1:4: error: YAML tags such as '!!python/object/apply:os.system' are not "
            "supported (expected plain values without a !tag)")
        assert not marker.exists()

    def test_local_tag_is_refused(self, parser: str) -> None:
        assert "tags such as '!include' are not supported" in refusal("a: !include other\n")

    def test_str_tag_keeps_text(self, parser: str) -> None:
        node = load.parse_yaml(b"a: !!str 2026\nb: ! 12\n", file="x.yaml")
        assert [(k.value, v.tag) for k, v in node.value] == [
            ("a", "tag:yaml.org,2002:str"), ("b", "tag:yaml.org,2002:str")]


def _shape(node: yaml.Node) -> Any:
    """Everything about a node tree that validation reads."""
    where = (node.start_mark.line, node.start_mark.column)
    if isinstance(node, yaml.ScalarNode):
        return (node.tag, node.value, where)
    if isinstance(node, yaml.SequenceNode):
        return (node.tag, [_shape(item) for item in node.value], where)
    return (node.tag, [(_shape(k), _shape(v)) for k, v in node.value], where)


class TestSameNodesAsPyYAML:
    def test_default_data_file_composes_as_pyyaml_does(self, parser: str) -> None:
        text = (REPO / "data" / "ml-internships-summer-2027.yaml").read_text(encoding="utf-8")
        ours = load.parse_yaml(text.encode(), file="x.yaml")
        theirs = load._PlainLoader(text).get_single_node()
        assert _shape(ours) == _shape(theirs)


class TestCharacters:
    def test_raw_control_character_is_located(self, parser: str) -> None:
        assert refusal("a: 1\nb: x\x07y\n") == (
            "x.yaml:2:5: error: the file contains the control character U+0007, which YAML "
            "does not allow (expected printable text; delete the character)")
