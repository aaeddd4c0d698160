"""Knowledge articles: short how-tos and policies (returns, refunds) that staff
look up while working a case, and link to the case they helped resolve.

Search is every-word-must-match LIKE over title, body and tags. A knowledge
base is tens to a few hundred short articles, where a scan answers in well
under a millisecond; it needs no full-text index (unlike records search).
Titles that match rank first.
"""

from __future__ import annotations

import peewee as pw

from crm_tui import db
from crm_tui.domain import activities, changes, validation
from crm_tui.domain.cases import get_case
from crm_tui.domain.errors import DomainError, NotFound
from crm_tui.models import CaseArticle, KnowledgeArticle, User


def normalize_tags(tags: str | list[str] | tuple[str, ...]) -> str:
    """'Refunds, returns ,refunds' -> 'refunds,returns': lower case, unique, in order."""
    parts = tags.split(",") if isinstance(tags, str) else list(tags)
    seen: list[str] = []
    for part in parts:
        tag = " ".join(part.split()).lower()
        if tag and tag not in seen:
            seen.append(tag)
    return ",".join(seen)


def get_article(article_id: int) -> KnowledgeArticle:
    article = KnowledgeArticle.get_or_none(KnowledgeArticle.id == article_id)
    if article is None:
        raise NotFound(f"article {article_id} does not exist")
    return article


def _clean(title: str, body: str, tags: str | list[str]) -> dict[str, str]:
    values = {
        "title": validation.required(title, "title"),
        "body": validation.required(body, "body", max_length=50000),
        "tags": normalize_tags(tags),
    }
    if len(values["tags"]) > 300:
        raise DomainError("tags are longer than 300 characters", "tags")
    return values


@db.atomic
def create_article(actor: User, title: str, body: str, tags: str | list[str] = "") -> KnowledgeArticle:
    values = _clean(title, body, tags)
    with changes.action(actor):
        return changes.create(KnowledgeArticle, author=actor, **values)


@db.atomic
def update_article(
    actor: User, article_id: int, *, title: str, body: str, tags: str | list[str] = "",
    expected_version: int | None = None,
) -> KnowledgeArticle:
    """Save an edited article; a stale save is refused (the version goes up each save)."""
    article = get_article(article_id)
    values = _clean(title, body, tags)
    with changes.action(actor):
        return changes.update(article, expected_version, **values)


@db.atomic
def delete_article(actor: User, article_id: int) -> None:
    """Remove an article and its links (undo restores the article)."""
    article = get_article(article_id)
    with changes.action(actor):
        for link in list(CaseArticle.select().where(CaseArticle.article == article.id)):
            changes.delete(link)
        changes.delete(article)


def search(text: str, limit: int = 30) -> list[KnowledgeArticle]:
    """Articles containing every word of `text` in the title, body or tags; all when empty."""
    query = KnowledgeArticle.select()
    words = text.split()
    for word in words:
        query = query.where(
            KnowledgeArticle.title.contains(word)
            | KnowledgeArticle.body.contains(word)
            | KnowledgeArticle.tags.contains(word)
        )
    if words:
        in_title = pw.Case(None, [(KnowledgeArticle.title.contains(words[0]), 0)], 1)
        query = query.order_by(in_title, KnowledgeArticle.title, KnowledgeArticle.id)
    else:
        query = query.order_by(KnowledgeArticle.title, KnowledgeArticle.id)
    return list(query.limit(limit))


@db.atomic
def link(actor: User, case_id: int, article_id: int) -> CaseArticle:
    """Link an article to a case; linking it twice is refused."""
    case = get_case(case_id)
    article = get_article(article_id)
    existing = CaseArticle.get_or_none((CaseArticle.case == case.id) & (CaseArticle.article == article.id))
    if existing is not None:
        raise DomainError(f"“{article.title}” is linked to this case already")
    with changes.action(actor):
        row = changes.create(CaseArticle, case=case, article=article, linked_by=actor)
        activities.touch_record("case", case.id, row.created_at)
    return row


@db.atomic
def unlink(actor: User, case_id: int, article_id: int) -> None:
    existing = CaseArticle.get_or_none((CaseArticle.case == case_id) & (CaseArticle.article == article_id))
    if existing is None:
        raise DomainError("that article is not linked to this case")
    with changes.action(actor):
        changes.delete(existing)


def case_articles(case_id: int) -> list[KnowledgeArticle]:
    """The articles linked to a case, in the order they were linked."""
    return list(
        KnowledgeArticle.select()
        .join(CaseArticle, on=(CaseArticle.article == KnowledgeArticle.id))
        .where(CaseArticle.case == case_id)
        .order_by(CaseArticle.id)
    )
