"""Settings: environment and TOML, one clear sentence for a wrong value, secrets kept secret."""

import stat
from pathlib import Path

import pytest

from commentbox.config import SettingsError, load_settings


def test_environment_variables_set_values(monkeypatch, tmp_path):
    monkeypatch.setenv("COMMENTBOX_MAX_DEPTH", "3")
    monkeypatch.setenv("COMMENTBOX_TRUSTED_PROXIES", '["10.0.0.0/8"]')
    settings = load_settings(secret_file=tmp_path / "s")
    assert settings.max_depth == 3 and settings.trusted_proxies == ["10.0.0.0/8"]


def test_a_toml_file_is_read_and_the_environment_wins(monkeypatch, tmp_path):
    config = tmp_path / "commentbox.toml"
    config.write_text('max_depth = 7\npage_size = 20\npublic_url = "https://c.example/"\n')
    monkeypatch.setenv("COMMENTBOX_CONFIG", str(config))
    monkeypatch.setenv("COMMENTBOX_PAGE_SIZE", "30")
    settings = load_settings(secret_file=tmp_path / "s")
    assert (settings.max_depth, settings.page_size, settings.base_url) == (7, 30, "https://c.example")


@pytest.mark.parametrize(
    ("variable", "value", "named"),
    [
        ("COMMENTBOX_PORT", "eighty", "COMMENTBOX_PORT"),
        ("COMMENTBOX_MAX_DEPTH", "0", "COMMENTBOX_MAX_DEPTH"),
        ("COMMENTBOX_PUBLIC_URL", "comments.example", "COMMENTBOX_PUBLIC_URL"),
        ("COMMENTBOX_TRUSTED_PROXIES", '["not-an-ip"]', "COMMENTBOX_TRUSTED_PROXIES"),
        ("COMMENTBOX_SECRET_KEY", "k3y-9", "COMMENTBOX_SECRET_KEY"),
    ],
)
def test_a_wrong_value_stops_with_one_sentence_naming_the_setting(
    monkeypatch, tmp_path, variable, value, named
):
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError) as error:
        load_settings(secret_file=tmp_path / "s")
    message = str(error.value)
    assert named in message and message.count("\n") == 0
    if variable == "COMMENTBOX_SECRET_KEY":
        assert value not in message


def test_a_missing_or_broken_config_file_is_named(monkeypatch, tmp_path):
    monkeypatch.setenv("COMMENTBOX_CONFIG", str(tmp_path / "missing.toml"))
    with pytest.raises(SettingsError, match="COMMENTBOX_CONFIG"):
        load_settings()
    broken = tmp_path / "broken.toml"
    broken.write_text("max_depth = = 3")
    monkeypatch.setenv("COMMENTBOX_CONFIG", str(broken))
    with pytest.raises(SettingsError, match="not valid TOML"):
        load_settings()


def test_the_generated_secret_is_persisted_owner_only_and_reused(tmp_path):
    path = tmp_path / "commentbox.secret"
    first = load_settings(secret_file=path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_settings(secret_file=path).secret() == first.secret()
    assert len(first.secret()) >= 32


def test_secrets_never_appear_in_reprs(tmp_path):
    settings = load_settings(secret_key="a-very-secret-value-123", secret_file=tmp_path / "s")
    assert "a-very-secret-value-123" not in repr(settings)
    assert "a-very-secret-value-123" not in str(settings.model_dump())


@pytest.mark.parametrize(
    "secret",
    [
        "change-me-to-a-long-random-string",  # examples/deploy/env.example, word for word
        "CHANGEME-please-0123456789abcdef",
        "replace-me-with-something-random",
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        "abababababababababababab",
        "short-but-mixed",
    ],
)
def test_placeholder_and_weak_secrets_stop_the_start_with_the_way_to_a_good_one(
    monkeypatch, tmp_path, secret
):
    monkeypatch.setenv("COMMENTBOX_SECRET_KEY", secret)
    with pytest.raises(SettingsError) as error:
        load_settings(secret_file=tmp_path / "s")
    message = str(error.value)
    assert "COMMENTBOX_SECRET_KEY" in message and "secrets.token_urlsafe" in message
    assert secret not in message and message.count("\n") == 0


def test_the_deploy_examples_placeholder_is_refused(tmp_path):
    example = Path(__file__).parent.parent / "examples" / "deploy" / "env.example"
    value = next(
        line.split("=", 1)[1]
        for line in example.read_text().splitlines()
        if line.startswith("COMMENTBOX_SECRET_KEY=")
    )
    with pytest.raises(SettingsError, match="placeholder"):
        load_settings(secret_key=value, secret_file=tmp_path / "s")
