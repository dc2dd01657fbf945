"""Tests for mlsd.design: the checklist table, completeness, Markdown rendering, dict round trip."""

import dataclasses

import pytest

from mlsd.design import CHECKLIST, DesignDoc

POINT_TITLES = [
    "Decision",
    "User",
    "Cost of failure",
    "Goals and non-goals",
    "Data",
    "Baseline",
    "Metrics",
    "Model path",
    "Serving",
    "Validation",
    "Monitoring",
    "Fallback",
    "Ownership",
    "Platform needs",
]

ANSWER_FIELDS = [
    "decision",
    "user",
    "cost_of_failure",
    "goals",
    "non_goals",
    "data_sources",
    "data_labels",
    "data_freshness",
    "data_owners",
    "baseline",
    "metrics_offline",
    "metrics_online",
    "metrics_business",
    "metrics_guardrail",
    "metrics_slice",
    "model",
    "serving",
    "validation",
    "monitoring",
    "fallback",
    "ownership",
    "platform",
]


def filled_values():
    """A distinct answer for every field: bullets for the plural-sounding ones, prose otherwise."""
    bullets = {"goals", "non_goals", "data_sources", "metrics_guardrail", "metrics_slice"}
    return {
        name: [f"{name} first", f"{name} second"] if name in bullets else f"Answer for {name}."
        for name in ANSWER_FIELDS
    }


def filled_doc():
    return DesignDoc(title="Delivery ETA", **filled_values())


# --- the table -----------------------------------------------------------------------------------


def test_checklist_has_the_fourteen_points_in_order():
    assert [point.title for point in CHECKLIST] == POINT_TITLES


def test_checklist_parts_are_exactly_the_answer_fields_in_declaration_order():
    table_fields = [part.field for point in CHECKLIST for part in point.parts]
    declared = [field.name for field in dataclasses.fields(DesignDoc)]
    assert declared == ["title", *table_fields]
    assert table_fields == ANSWER_FIELDS


def test_every_point_and_part_has_a_question():
    for point in CHECKLIST:
        assert point.prompt.strip().endswith("?")
        for part in point.parts:
            assert part.prompt.strip().endswith("?")


def test_sub_parts_are_labelled_and_single_parts_are_not():
    for point in CHECKLIST:
        labels = [part.label for part in point.parts]
        if len(point.parts) == 1:
            assert labels == [""]
        else:
            assert all(labels)


def test_sub_parts_of_the_points_that_have_them():
    parts = {point.title: [part.field for part in point.parts] for point in CHECKLIST}
    assert parts["Goals and non-goals"] == ["goals", "non_goals"]
    assert parts["Data"] == ["data_sources", "data_labels", "data_freshness", "data_owners"]
    assert parts["Metrics"] == [
        "metrics_offline",
        "metrics_online",
        "metrics_business",
        "metrics_guardrail",
        "metrics_slice",
    ]


# --- completeness --------------------------------------------------------------------------------


def test_empty_doc_misses_all_fourteen_points_and_every_field():
    doc = DesignDoc(title="Empty")
    assert doc.missing_points() == POINT_TITLES
    assert doc.missing() == ANSWER_FIELDS
    assert not doc.is_complete


def test_filled_doc_misses_nothing():
    doc = filled_doc()
    assert doc.missing() == []
    assert doc.missing_points() == []
    assert doc.is_complete


def test_missing_lists_fields_in_checklist_order_not_assignment_order():
    values = filled_values()
    for name in ("platform", "data_labels", "user", "metrics_slice"):
        values[name] = ""
    doc = DesignDoc(title="Partial", **values)
    assert doc.missing() == ["user", "data_labels", "metrics_slice", "platform"]
    assert doc.missing_points() == ["User", "Data", "Metrics", "Platform needs"]


def test_one_empty_sub_part_makes_its_point_incomplete():
    doc = filled_doc()
    doc.non_goals = []
    assert doc.missing() == ["non_goals"]
    assert doc.missing_points() == ["Goals and non-goals"]
    assert not doc.is_complete


@pytest.mark.parametrize("blank", ["", "   ", "\n\t ", [], [""], ["  ", "\n"]])
def test_blank_strings_and_lists_count_as_empty(blank):
    doc = filled_doc()
    doc.baseline = blank
    assert doc.missing() == ["baseline"]


def test_a_list_with_one_non_blank_item_is_filled():
    doc = DesignDoc(title="T", baseline=["", "Median ETA per zone"])
    assert "baseline" not in doc.missing()


def test_filling_a_field_after_construction_updates_completeness():
    doc = DesignDoc(title="T")
    doc.decision = "Which delivery time to promise at checkout."
    assert doc.missing()[0] == "user"
    assert doc.missing_points()[0] == "User"


# --- types and names -----------------------------------------------------------------------------


@pytest.mark.parametrize("value, type_name", [(3, "int"), (None, "NoneType"), (("a",), "tuple")])
def test_answer_of_the_wrong_type_raises_type_error_naming_field_and_type(value, type_name):
    expected = (f"DesignDoc.serving must be a string or a list of strings, Budget and Dependency "
                f"entries; got {type_name}")
    with pytest.raises(TypeError, match=expected):
        DesignDoc(title="T", serving=value)


def test_list_item_of_the_wrong_type_is_named_by_position():
    with pytest.raises(TypeError, match=r"DesignDoc.goals must be .*; goals\[1\] is int"):
        DesignDoc(title="T", goals=["fast", 5])


def test_type_is_checked_on_assignment_too():
    doc = DesignDoc(title="T")
    with pytest.raises(TypeError, match="DesignDoc.fallback .* got dict"):
        doc.fallback = {"when": "model down"}
    assert doc.fallback == ""


def test_title_must_be_a_non_blank_string():
    with pytest.raises(TypeError, match="DesignDoc.title must be a string; got list"):
        DesignDoc(title=["Delivery ETA"])
    with pytest.raises(ValueError, match="DesignDoc.title must not be blank"):
        DesignDoc(title="  ")


def test_title_is_required():
    with pytest.raises(TypeError, match="title"):
        DesignDoc()


def test_fields_are_keyword_only():
    with pytest.raises(TypeError):
        DesignDoc("Delivery ETA", "decision")


def test_misspelt_field_is_rejected_with_the_allowed_names():
    doc = DesignDoc(title="T")
    expected = "DesignDoc has no field 'non_goal'; fields are: title, decision"
    with pytest.raises(AttributeError, match=expected):
        doc.non_goal = "x"


def test_list_is_copied_on_assignment():
    goals = ["fast"]
    doc = DesignDoc(title="T", goals=goals)
    goals.append("changed later")
    assert doc.goals == ["fast"]


# --- Markdown ------------------------------------------------------------------------------------


def test_markdown_has_the_title_heading_and_every_numbered_point():
    markdown = DesignDoc(title="Delivery ETA").to_markdown()
    assert markdown.startswith("## Design review: Delivery ETA\n")
    for number, title in enumerate(POINT_TITLES, start=1):
        assert f"### {number}. {title}\n" in markdown


def test_markdown_points_appear_in_order():
    markdown = filled_doc().to_markdown()
    positions = [markdown.index(f"### {n}. {title}") for n, title in enumerate(POINT_TITLES, 1)]
    assert positions == sorted(positions)


def test_markdown_contains_the_filled_text():
    markdown = filled_doc().to_markdown()
    for name, value in filled_values().items():
        for text in [value] if isinstance(value, str) else value:
            assert text in markdown
    assert "To fill" not in markdown


def test_empty_single_part_shows_the_reviewer_question():
    markdown = DesignDoc(title="T").to_markdown()
    baseline = next(point for point in CHECKLIST if point.title == "Baseline")
    assert f"### 6. Baseline\n\n**To fill:** *{baseline.prompt}*\n" in markdown


def test_empty_sub_part_is_a_labelled_bullet_with_its_question():
    doc = filled_doc()
    doc.data_labels = ""
    markdown = doc.to_markdown()
    data = next(point for point in CHECKLIST if point.title == "Data")
    labels = next(part for part in data.parts if part.field == "data_labels")
    assert f"- **Labels:** **To fill:** *{labels.prompt}*\n" in markdown
    assert markdown.count("To fill") == 1


def test_every_empty_part_is_marked():
    markdown = DesignDoc(title="T").to_markdown()
    assert markdown.count("**To fill:**") == len(ANSWER_FIELDS)


def test_single_part_prose_is_a_paragraph():
    markdown = DesignDoc(title="T", decision="Which time to promise.").to_markdown()
    assert "### 1. Decision\n\nWhich time to promise.\n" in markdown


def test_single_part_list_renders_as_bullets():
    markdown = DesignDoc(title="T", baseline=["Median per zone", "Last week's mean"]).to_markdown()
    assert "### 6. Baseline\n\n- Median per zone\n- Last week's mean\n" in markdown


def test_sub_part_prose_follows_its_label():
    markdown = DesignDoc(title="T", data_freshness="Features at most 5 minutes old.").to_markdown()
    assert "- **Freshness:** Features at most 5 minutes old.\n" in markdown


def test_sub_part_list_renders_as_nested_bullets_under_its_label():
    markdown = DesignDoc(title="T", goals=["Quote the p90", "Late rate near 10 %"]).to_markdown()
    assert "- **Goals:**\n  - Quote the p90\n  - Late rate near 10 %\n- **Non-goals:**" in markdown


def test_blank_list_items_are_left_out():
    markdown = DesignDoc(title="T", baseline=["Median per zone", "  "]).to_markdown()
    assert "### 6. Baseline\n\n- Median per zone\n\n### 7." in markdown


def test_multi_line_text_is_dedented_and_kept_inside_its_bullet():
    doc = DesignDoc(
        title="T",
        data_sources="""Orders table,
            courier GPS pings.""",
        metrics_slice=["New cities,\n    rush hour"],
    )
    markdown = doc.to_markdown()
    assert "- **Sources:** Orders table,\n  courier GPS pings.\n" in markdown
    assert "- **Slice:**\n  - New cities,\n    rush hour\n" in markdown


def test_markdown_ends_with_the_count_of_complete_points():
    doc = filled_doc()
    doc.baseline = ""
    doc.data_owners = ""
    markdown = doc.to_markdown()
    expected = "**12 of 14 points complete**; still to fill: Data, Baseline."
    assert markdown.rstrip().endswith(expected)


def test_markdown_of_a_complete_doc_ends_with_fourteen_of_fourteen():
    assert filled_doc().to_markdown().rstrip().endswith("**14 of 14 points complete**")


def test_markdown_of_an_empty_doc_counts_zero():
    assert "**0 of 14 points complete**" in DesignDoc(title="T").to_markdown()


def test_notebook_display_uses_the_markdown():
    doc = filled_doc()
    assert doc._repr_markdown_() == doc.to_markdown()


# --- dict round trip -----------------------------------------------------------------------------


def test_to_dict_has_title_and_every_field_in_checklist_order():
    values = filled_doc().to_dict()
    assert list(values) == ["title", *ANSWER_FIELDS]
    assert values == {"title": "Delivery ETA", **filled_values()}


def test_to_dict_from_dict_round_trip():
    doc = filled_doc()
    doc.user = ""
    assert DesignDoc.from_dict(doc.to_dict()) == doc


def test_to_dict_copies_lists():
    doc = filled_doc()
    values = doc.to_dict()
    values["goals"].append("changed")
    assert doc.goals == ["goals first", "goals second"]


def test_from_dict_leaves_absent_fields_empty():
    doc = DesignDoc.from_dict({"title": "T", "decision": "Which time to promise."})
    assert doc.decision == "Which time to promise."
    assert doc.missing() == ANSWER_FIELDS[1:]


def test_from_dict_rejects_unknown_keys_naming_them_and_the_allowed_ones():
    with pytest.raises(ValueError) as error:
        DesignDoc.from_dict({"title": "T", "goal": "x", "owner": "y", "decision": "z"})
    message = str(error.value)
    assert "unknown DesignDoc keys ['goal', 'owner']" in message
    assert "allowed keys are: title, decision, user" in message
    assert message.endswith("ownership, platform")


def test_from_dict_checks_types():
    with pytest.raises(TypeError, match="DesignDoc.goals"):
        DesignDoc.from_dict({"title": "T", "goals": 7})
