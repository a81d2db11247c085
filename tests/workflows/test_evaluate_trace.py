"""Python evaluation: the frozen Evaluation, its trace mirroring the tree, sentences from the
operator labels, errored never counting as passed, bounded queries, the compile cache."""

from __future__ import annotations

import json

import pytest

from crm.errors import ObjectNotFound
from tests.factories import CompanyFactory, ContactFactory, associate
from tests.workflows.builders import and_, assoc, num_assoc, one, or_, prop
from tests.workflows.conftest import NOW, make_record
from workflows.criteria import Evaluation, evaluate, evaluate_many, parse
from workflows.criteria.context import RecordContext
from workflows.criteria.evaluate import compile_criteria, matches
from workflows.criteria.trace import ERRORED, FAILED, PASSED

pytestmark = pytest.mark.django_db

#: a membership kind nobody provides (HubSpot's DATASET): it evaluates as errored
IN_LIST = {
    "filterType": "IN_LIST",
    "listId": "9",
    "operator": "IN_LIST",
    "metadata": {"inListType": "DATASET"},
}
MQL_OR_SQL = prop(
    "lifecyclestage",
    "ENUMERATION",
    "IS_ANY_OF",
    values=["marketingqualifiedlead", "salesqualifiedlead"],
)


def test_evaluate__sentence__uses_labels_and_option_labels() -> None:
    contact = ContactFactory(properties={"email": "ada@example.com", "lifecyclestage": "lead"})
    evaluation = evaluate(parse(one(MQL_OR_SQL), object_type="contacts"), contact, now=NOW)
    [trace] = evaluation.trace.branches[0].filters
    assert (
        trace.sentence
        == "Lifecycle Stage is any of Marketing Qualified Lead, Sales Qualified Lead - was Lead"
    )
    assert (trace.status, trace.seen, trace.record_id, trace.property) == (
        FAILED,
        ("Lead",),
        contact.pk,
        "lifecyclestage",
    )
    assert trace.expected == "is any of Marketing Qualified Lead, Sales Qualified Lead"
    assert isinstance(evaluation, Evaluation) and not evaluation.matched and not evaluation.errored


def test_evaluate__trace_mirrors_the_tree__and_summary_reads_as_sentences() -> None:
    contact = ContactFactory(
        properties={"email": "ada@example.com", "firstname": "Ada", "lifecyclestage": "lead"}
    )
    criteria = parse(
        or_(
            and_(prop("firstname", "STRING", "IS_EQUAL_TO", value="ada"), MQL_OR_SQL),
            and_(prop("email", "STRING", "ENDS_WITH", value="@example.com")),
        ),
        object_type="contacts",
    )
    evaluation = evaluate(criteria, contact, now=NOW)
    assert evaluation.matched
    assert [b.status for b in evaluation.trace.branches] == [FAILED, PASSED]
    assert evaluation.filter_statuses() == {
        "listFilterBranch": PASSED,
        "listFilterBranch.filterBranches[0]": FAILED,
        "listFilterBranch.filterBranches[0].filters[0]": PASSED,
        "listFilterBranch.filterBranches[0].filters[1]": FAILED,
        "listFilterBranch.filterBranches[1]": PASSED,
        "listFilterBranch.filterBranches[1].filters[0]": PASSED,
    }
    assert evaluation.summary() == [
        f"Matched: contacts {contact.pk}",
        "Group 1 failed",
        '  ✓ First Name is equal to "ada" - was Ada',
        "  ✗ Lifecycle Stage is any of Marketing Qualified Lead, Sales Qualified Lead - was Lead",
        "Group 2 passed",
        '  ✓ Email ends with "@example.com" - was ada@example.com',
    ]
    assert [f.path for f in evaluation.failed_filters()] == [
        "listFilterBranch.filterBranches[0].filters[1]"
    ]
    assert len(evaluation.passed_filters()) == 2


def test_evaluate__errored_filter__never_counts_as_passed() -> None:
    contact = ContactFactory()
    only_list = evaluate(parse(one(IN_LIST), object_type="contacts"), contact, now=NOW)
    assert (only_list.matched, only_list.errored) == (False, True)
    [trace] = only_list.errored_filters()
    assert trace.error == "DATASET memberships are not available"
    assert trace.sentence == "Is in DATASET 9 - errored: DATASET memberships are not available"
    other_group_passes = evaluate(
        parse(
            or_(and_(IN_LIST), and_(prop("email", "ALL_PROPERTY", "IS_KNOWN"))),
            object_type="contacts",
        ),
        contact,
        now=NOW,
    )
    assert (other_group_passes.matched, other_group_passes.errored) == (True, False)
    failed_beside = evaluate(
        parse(one(IN_LIST, prop("email", "ALL_PROPERTY", "IS_UNKNOWN")), object_type="contacts"),
        contact,
        now=NOW,
    )
    assert (
        failed_beside.matched,
        failed_beside.errored,
        failed_beside.trace.branches[0].status,
    ) == (False, False, FAILED)


def test_evaluate__wrong_typed_value__errors_with_the_reason(crm_schema: dict[str, int]) -> None:
    record = make_record("contacts", {"p_num": "12"}, raw=True)
    evaluation = evaluate(
        parse(one(prop("p_num", "NUMBER", "IS_NOT_EQUAL_TO", value=3)), object_type="contacts"),
        record,
        now=NOW,
    )
    [trace] = evaluation.errored_filters()
    assert evaluation.errored and not evaluation.matched
    assert trace.error == "the stored value '12' is not a number"


def test_evaluate__association_branch__says_which_associated_record_supplied_the_values() -> None:
    contact = ContactFactory()
    retail = CompanyFactory(properties={"name": "Shop", "industry": "RETAIL"})
    bank = CompanyFactory(properties={"name": "Bank", "industry": "BANKING"})
    associate(contact, retail)
    associate(contact, bank, ("HUBSPOT_DEFINED", 1))
    criteria = parse(
        or_(
            and_(
                branches=[
                    assoc(
                        "0-2", 1, prop("industry", "ENUMERATION", "IS_ANY_OF", values=["BANKING"])
                    )
                ]
            )
        ),
        object_type="contacts",
    )
    evaluation = evaluate(criteria, contact, now=NOW)
    branch = evaluation.trace.branches[0].branches[0]
    assert evaluation.matched
    assert branch.association == "Companies (Primary)"
    assert branch.record_id == bank.pk and branch.candidate_count == 1  # only the Primary company
    assert branch.filters[0].record_id == bank.pk and branch.filters[0].object_type == "companies"
    assert branch.sentence == "Some associated Companies (Primary) matches - 1 of 1 does"
    unlabeled = parse(
        or_(
            and_(
                branches=[
                    assoc(
                        "0-2", 279, prop("industry", "ENUMERATION", "IS_ANY_OF", values=["RETAIL"])
                    )
                ]
            )
        ),
        object_type="contacts",
    )
    any_company = evaluate(unlabeled, contact, now=NOW).trace.branches[0].branches[0]
    assert any_company.candidate_count == 2 and any_company.record_id == retail.pk
    assert sorted(c.status for c in any_company.candidates) == [FAILED, PASSED]


def test_evaluate__num_associations__sentence_and_count() -> None:
    contact = ContactFactory()
    associate(contact, CompanyFactory())
    evaluation = evaluate(
        parse(one(num_assoc(279, min=2)), object_type="contacts"), contact, now=NOW
    )
    [trace] = evaluation.failed_filters()
    assert trace.sentence == "Number of associated Companies is at least 2 - was 1"


def test_evaluation__to_dict__is_json_and_carries_the_trace() -> None:
    contact = ContactFactory(properties={"email": "a@b.co", "lifecyclestage": "salesqualifiedlead"})
    evaluation = evaluate(parse(one(MQL_OR_SQL, IN_LIST), object_type="contacts"), contact, now=NOW)
    data = json.loads(json.dumps(evaluation.to_dict()))
    assert (
        data["matched"] is False and data["errored"] is True and data["recordId"] == str(contact.pk)
    )
    assert data["trace"]["filterBranches"][0]["filters"][0]["status"] == PASSED
    assert data["summary"] == evaluation.summary()


def test_evaluate_many__a_bounded_number_of_queries(
    django_assert_max_num_queries, crm_schema: dict[str, int]
) -> None:
    criteria = parse(
        or_(
            and_(
                prop("p_text", "STRING", "HAS_EVER_BEEN_EQUAL_TO", value="x"),
                num_assoc(279, min=1),
                branches=[
                    assoc(
                        "0-2",
                        279,
                        prop("p_num", "NUMBER", "IS_GREATER_THAN", value=1),
                        prop(
                            "p_text",
                            "ROLLING_PROPERTY_UPDATED",
                            "UPDATED_IN_LAST_X_DAYS",
                            numberOfDays=3,
                        ),
                    )
                ],
            ),
            and_(*[prop("p_text", "STRING", "CONTAINS", value=str(i)) for i in range(30)]),
        ),
        object_type="contacts",
    )
    companies = [make_record("companies", {"p_num": i}, raw=True) for i in range(3)]

    def contacts(n: int) -> list[int]:
        ids = []
        for i in range(n):
            record = make_record("contacts", {"p_text": f"v{i}"}, raw=True)
            associate(record, companies[i % 3])
            ids.append(record.pk)
        return ids

    few, many = contacts(3), contacts(40)
    compile_criteria(criteria, now=NOW)  # warm the cache: the count is about loading, not compiling
    with django_assert_max_num_queries(8):
        small = evaluate_many(criteria, few, now=NOW)
    with django_assert_max_num_queries(8):
        large = evaluate_many(criteria, many, now=NOW)
    assert len(small) == 3 and len(large) == 40


def test_compile_criteria__cached_by_hash__unless_it_reads_the_clock() -> None:
    plain = parse(one(prop("firstname", "ALL_PROPERTY", "IS_KNOWN")), object_type="contacts")
    again = parse(one(prop("firstname", "ALL_PROPERTY", "IS_KNOWN")), object_type="contacts")
    assert compile_criteria(plain, now=NOW) is compile_criteria(again, now=NOW)
    relative = parse(
        one(prop("createdate", "ROLLING_DATE_RANGE", "IS_LESS_THAN_X_DAYS_AGO", numberOfDays=1)),
        object_type="contacts",
    )
    assert compile_criteria(relative, now=NOW) is not compile_criteria(relative, now=NOW)


def test_matches__in_memory_context__no_database_needed_for_plain_criteria() -> None:
    criteria = parse(
        or_(
            and_(
                prop("firstname", "STRING", "STARTS_WITH", value="ad"),
                prop("lifecyclestage", "ENUMERATION", "IS_NONE_OF", values=["customer"]),
            )
        ),
        object_type="contacts",
    )
    compile_criteria(criteria, now=NOW)
    assert matches(criteria, RecordContext({"firstname": "Ada", "lifecyclestage": "lead"}), now=NOW)
    assert not matches(criteria, RecordContext({"firstname": "Bob"}), now=NOW)
    assert matches(
        criteria, RecordContext({"firstname": "Adam"}), now=NOW
    )  # none of: blank passes (contacts)


def test_evaluate__record_of_another_type_or_unknown_id__raise() -> None:
    criteria = parse(one(prop("firstname", "ALL_PROPERTY", "IS_KNOWN")), object_type="contacts")
    with pytest.raises(ValueError, match="not a contacts record"):
        evaluate(criteria, CompanyFactory(), now=NOW)
    with pytest.raises(ObjectNotFound):
        evaluate(criteria, 987654, now=NOW)
    assert evaluate_many(criteria, [987654], now=NOW) == {}


def test_evaluate__empty_rule_note__explains_why_a_blank_passed() -> None:
    contact = ContactFactory(properties={"email": "x@y.z"})
    evaluation = evaluate(
        parse(
            one(prop("firstname", "STRING", "IS_NOT_EQUAL_TO", value="Ada")), object_type="contacts"
        ),
        contact,
        now=NOW,
    )
    [trace] = evaluation.passed_filters()
    assert trace.sentence == (
        'First Name is not equal to "Ada" - had no value (records with no value are included)'
    )
    assert evaluation.status_of("listFilterBranch.filterBranches[0].filters[0]") == PASSED
    assert ERRORED not in evaluation.filter_statuses().values()


def test_evaluate_many__more_records_than_one_in_clause__agrees_with_sql(
    crm_schema: dict[str, int],
) -> None:
    from crm.models import ObjectType, PropertyChange, Record
    from workflows.criteria import to_queryset

    contacts = ObjectType.objects.get(name="contacts")
    records = Record.objects.bulk_create(
        [Record(object_type=contacts, properties={"p_num": i % 7}) for i in range(1100)]
    )
    PropertyChange.objects.bulk_create(
        [
            PropertyChange(
                record=r, property_name="p_text", value="old", timestamp=NOW, source="IMPORT"
            )
            for r in records[::3]
        ]
    )
    criteria = parse(
        or_(
            and_(
                prop("p_num", "NUMBER", "IS_GREATER_THAN", value=3),
                prop("p_text", "STRING", "HAS_EVER_BEEN_EQUAL_TO", value="OLD"),
            )
        ),
        object_type="contacts",
    )
    ids = [r.pk for r in records]
    python = {pk for pk, e in evaluate_many(criteria, ids, now=NOW).items() if e.matched}
    assert python == set(
        to_queryset(criteria, now=NOW).filter(pk__in=ids).values_list("pk", flat=True)
    )
    assert len(python) == sum(1 for i in range(0, 1100, 3) if i % 7 > 3)
