from pathlib import Path

import pytest

from crm_tui import config


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_are_usable() -> None:
    cfg = config.load([])
    assert "call" in cfg.activity_type_names
    assert cfg.activity_type("call").minutes == 15
    assert [q.key for q in cfg.qualification] == ["budget", "authority", "need", "timeline"]


def test_files_override_key_by_key(tmp_path: Path) -> None:
    system = write(tmp_path / "system.toml", '[thresholds]\nactivity_overdue_days = 5\nlead_untouched_days = 2\n')
    user = write(tmp_path / "user.toml", '[thresholds]\nactivity_overdue_days = 7\n\n[smtp]\nhost = "mail.example.com"\n')
    cfg = config.load([system, user])
    assert cfg.thresholds.activity_overdue_days == 7
    assert cfg.thresholds.lead_untouched_days == 2
    assert cfg.smtp.host == "mail.example.com"


def test_activity_types_and_holidays(tmp_path: Path) -> None:
    path = write(tmp_path / "c.toml", """
holidays = [2026-12-25, "2026-12-26"]
[[activity_types]]
name = "visit"
label = "On-site visit"
minutes = 90
outcomes = ["held", "cancelled by customer"]
""")
    cfg = config.load([path])
    assert cfg.activity_type_names == ("visit",)
    assert cfg.activity_type("visit").outcomes == ("held", "cancelled by customer")
    assert len(cfg.holidays) == 2 and not cfg.is_working_day(cfg.holidays[0])


def test_database_env_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path / "c.toml", 'database = "/srv/crm/crm.db"\n')
    monkeypatch.setenv("CRM_DATABASE", "postgresql://crm@db/crm")
    assert config.load([path]).database == "postgresql://crm@db/crm"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[thresholds]\nactivity_overdue_days = 'three'\n", "thresholds.activity_overdue_days: expected a number"),
        ("colour = 'red'\n", "colour: unknown setting"),
        ("[[activity_types]]\nminutes = 5\n", "activity_types[0].name: required setting is missing"),
        ("capacity_minutes = [1, 2]\n", "capacity_minutes: expected 7"),
        ("holidays = ['25 Dec']\n", "holidays[0]: expected a date"),
        ("working_days = [9]\n", "working_days: expected weekdays"),
        ("[smtp]\nport = '25'\n", "smtp.port: expected a whole number"),
        ("this is = not toml = at all\n", "not valid TOML"),
    ],
)
def test_bad_config_names_file_and_key(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path / "bad.toml", text)
    with pytest.raises(config.ConfigError) as info:
        config.load([path])
    assert str(path) in str(info.value)
    assert message in str(info.value)


def test_named_config_file_must_exist(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CRM_CONFIG", str(tmp_path / "missing.toml"))
    with pytest.raises(config.ConfigError, match="config file not found"):
        config.load()


def test_settings_compare_hash_and_show_by_value() -> None:
    """The settings classes take construction, freezing, equality, hash and
    repr from `Settings`, not from @dataclass: they must still behave as
    frozen dataclasses do."""
    import dataclasses

    from crm_tui.config import ActivityType, Config, Permissions

    assert ActivityType("call") == ActivityType("call") and ActivityType("call") != ActivityType("email")
    assert hash(ActivityType("call", outcomes=("done", "no answer"))) == hash(
        ActivityType("call", outcomes=("done", "no answer")))
    assert ActivityType("call") != ("call", "", 30, ("done",))  # another class is never equal
    assert repr(ActivityType("call")) == "ActivityType(name='call', label='', minutes=30, outcomes=('done',))"
    assert Config() == Config() and dataclasses.replace(Config(), database="x.db") != Config()
    assert {ActivityType("call"): 1}[ActivityType("call")] == 1
    assert Permissions(teams={"east": ("ann",)}) == Permissions(teams={"east": ("ann",)})
    settings = Config()
    for change in (lambda: setattr(settings, "database", "x.db"), lambda: setattr(settings, "extra", 1),
                   lambda: delattr(settings, "database")):
        with pytest.raises(dataclasses.FrozenInstanceError):
            change()
    assert settings.database == Config().database and not hasattr(settings, "extra")
    assert ActivityType("call", "Call", 15) == ActivityType(name="call", label="Call", minutes=15)
    assert Config().permissions.teams is not Config().permissions.teams  # a fresh default each time
    for wrong, message in ((lambda: ActivityType(), "missing required argument: 'name'"),
                           (lambda: ActivityType("call", name="call"), "multiple values for argument 'name'"),
                           (lambda: ActivityType("call", colour="red"), "unexpected keyword argument 'colour'"),
                           (lambda: ActivityType("a", "b", 1, (), 2), "takes 4 positional arguments")):
        with pytest.raises(TypeError, match=message):
            wrong()
