"""Look up knowledge articles (how-tos, returns and refunds policies) while
working a case: type to search, read the highlighted article, enter links it
to the case.

`KnowledgeDialog(case_id)` dismisses the linked `KnowledgeArticle`, or None
(escape: nothing changed). `KnowledgeDialog(None)` only reads.
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from crm_tui.domain import knowledge
from crm_tui.models import KnowledgeArticle
from crm_tui.ui.dialogs.modal import CrmDialog


class KnowledgeDialog(CrmDialog[KnowledgeArticle | None]):
    PREFIX = "knowledge"
    BINDINGS = [
        Binding("ctrl+l", "link", "Link", id="knowledge.link", tooltip="Link the highlighted article to the case"),
        Binding("down", "focus_results", "Results", id="knowledge.results", show=False,
                tooltip="Move from the search box to the results"),
    ]

    def __init__(self, case_id: int | None) -> None:
        super().__init__()
        self.case_id = case_id
        self._found: dict[str, KnowledgeArticle] = {}
        self._linked: set[int] = set()

    def compose(self) -> ComposeResult:
        with Vertical(id="knowledge-dialog", classes="dialog"):
            yield Static("Knowledge", classes="dialog-title")
            yield Input(id="knowledge-search", placeholder="search how-tos and policies, e.g. refund", compact=True)
            yield OptionList(id="knowledge-results", compact=True)
            with VerticalScroll(id="knowledge-article-box"):
                yield Static("", id="knowledge-article", markup=False)
            yield self.error_line()
            keys = "type to search · ↓ results · enter link to the case · esc close" if self.case_id else \
                "type to search · ↓ results · esc close"
            yield Static(keys, classes="dialog-keys")

    def on_mount(self) -> None:
        if self.case_id is not None:
            self._linked = {a.id for a in knowledge.case_articles(self.case_id)}
        self._search("")
        self.query_one("#knowledge-search", Input).focus()

    @on(Input.Changed, "#knowledge-search")
    def _typed(self, event: Input.Changed) -> None:
        self._search(event.value)

    @on(Input.Submitted, "#knowledge-search")
    def action_focus_results(self) -> None:
        self.query_one("#knowledge-results", OptionList).focus()

    def _search(self, text: str) -> None:
        found = knowledge.search(text)
        self._found = {str(a.id): a for a in found}
        results = self.query_one("#knowledge-results", OptionList)
        results.clear_options()
        for article in found:
            mark = "✓ " if article.id in self._linked else "  "
            label = Text(f"{mark}{article.title}")
            if article.tags:
                label.append(f"  {article.tags.replace(',', ', ')}", style="dim")
            results.add_option(Option(label, id=str(article.id)))
        if found:
            results.highlighted = 0
        self._read(found[0] if found else None)
        if not found:
            self.show_error(f"no article matches {text!r}" if text.strip() else "there are no articles yet")
        else:
            self.show_error("")

    def _read(self, article: KnowledgeArticle | None) -> None:
        text = Text()
        if article is not None:
            text.append(f"{article.title}\n", style="bold")
            text.append(f"version {article.version}\n\n", style="dim")
            text.append(article.body)
        self.query_one("#knowledge-article", Static).update(text)

    @on(OptionList.OptionHighlighted, "#knowledge-results")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self._read(self._found.get(str(event.option.id)))

    @on(OptionList.OptionSelected, "#knowledge-results")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_link()

    def action_link(self) -> None:
        if self.case_id is None:
            self.show_error("open this from a case to link an article")
            return
        results = self.query_one("#knowledge-results", OptionList)
        if results.highlighted is None:
            return
        article = self._found[str(results.get_option_at_index(results.highlighted).id)]
        if self.run(knowledge.link, self.user, self.case_id, article.id) is not None:
            self.done(article)
