"""Knowledge articles: search by words, link to a case, stale saves."""

import pytest

from crm_tui.config import Config
from crm_tui.domain import cases, changes, knowledge
from crm_tui.domain.errors import Conflict, DomainError
from crm_tui.models import CaseArticle, KnowledgeArticle, User


@pytest.fixture
def articles(rep: User) -> list[KnowledgeArticle]:
    return [
        knowledge.create_article(rep, "Returns policy", "Goods may be returned within 30 days.", "Returns, policy"),
        knowledge.create_article(rep, "Refunds", "Refunds above 500 EUR need a manager.", ["refunds", "policy"]),
        knowledge.create_article(rep, "Resetting a password", "Open settings, then security.", "how-to"),
        knowledge.create_article(rep, "100% discount codes", "Only for partners_only deals.", ""),
    ]


def test_search_by_words_in_title_body_and_tags(rep: User, articles: list[KnowledgeArticle]) -> None:
    assert [a.title for a in knowledge.search("policy")] == ["Returns policy", "Refunds"]  # title match first
    assert [a.title for a in knowledge.search("REFUND manager")] == ["Refunds"]
    assert [a.title for a in knowledge.search("how-to")] == ["Resetting a password"]
    assert [a.title for a in knowledge.search("100%")] == ["100% discount codes"]
    assert [a.title for a in knowledge.search("0%")] == ["100% discount codes"]
    assert knowledge.search("50_") == []  # wildcards are literal
    assert len(knowledge.search("")) == 4
    assert articles[0].tags == "returns,policy"


def test_link_an_article_to_a_case(rep: User, articles: list[KnowledgeArticle]) -> None:
    case = cases.create(rep, Config(), subject="Customer wants money back")
    knowledge.link(rep, case.id, articles[1].id)
    knowledge.link(rep, case.id, articles[0].id)
    assert [a.title for a in knowledge.case_articles(case.id)] == ["Refunds", "Returns policy"]
    with pytest.raises(DomainError, match="linked to this case already"):
        knowledge.link(rep, case.id, articles[1].id)
    knowledge.unlink(rep, case.id, articles[1].id)
    assert [a.title for a in knowledge.case_articles(case.id)] == ["Returns policy"]
    changes.undo_last(rep)
    assert CaseArticle.select().count() == 2


def test_article_edits_are_versioned(rep: User, manager: User, articles: list[KnowledgeArticle]) -> None:
    seen = articles[0].version
    knowledge.update_article(manager, articles[0].id, title="Returns policy", body="Within 60 days.", tags="returns")
    with pytest.raises(Conflict, match="Max Mayer changed this knowledgearticle"):
        knowledge.update_article(rep, articles[0].id, title="Returns", body="x", expected_version=seen)
    assert KnowledgeArticle.get_by_id(articles[0].id).version == seen + 1
    with pytest.raises(DomainError, match="title is required"):
        knowledge.create_article(rep, "", "body")
