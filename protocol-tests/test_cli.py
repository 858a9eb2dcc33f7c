"""The admin command line: users, domains, aliases, check-config and reindex, with the exit codes
the README documents (sysexits.h: 65 bad input, 67 no such user, 73 cannot create, 78 config)."""

import sqlite3
import subprocess

from conftest import BIN, ROOT

EX_USAGE_CLAP = 2
EX_DATAERR = 65
EX_NOUSER = 67
EX_CANTCREAT = 73
EX_CONFIG = 78


def test_domain_add_then_list_shows_it(instance):
    instance.cli("domain", "add", "Example.TEST")
    listing = instance.cli("domain", "list").stdout.split()
    assert "example.test" in listing


def test_domain_delete_refused_while_a_user_lives_there(instance):
    instance.cli("domain", "add", "example.test")
    instance.cli("user", "add", "alice@example.test", "--password-stdin", input="s3cret-pass\n")
    result = instance.cli("domain", "delete", "example.test", check=False)
    assert result.returncode == EX_DATAERR
    assert "example.test" in result.stderr


def test_user_add_reads_password_from_stdin_and_lists_the_user(instance):
    instance.cli("domain", "add", "example.test")
    instance.cli("user", "add", "Alice@Example.test", "--password-stdin", input="s3cret-pass\n")
    listing = instance.cli("user", "list").stdout
    assert "alice@example.test" in listing
    assert "s3cret-pass" not in listing


def test_user_add_stores_an_argon2id_hash_not_the_password(instance):
    instance.cli("domain", "add", "example.test")
    instance.cli("user", "add", "alice@example.test", "--password-stdin", input="s3cret-pass\n")
    db = sqlite3.connect(instance.data_dir / "postamt.db")
    dump = "\n".join(db.iterdump())
    assert "s3cret-pass" not in dump
    assert "$argon2id$" in dump


def test_user_add_in_an_unknown_domain_names_the_domain(instance):
    result = instance.cli(
        "user", "add", "bob@nowhere.test", "--password-stdin", input="pw-123456\n", check=False
    )
    assert result.returncode == EX_DATAERR
    assert "nowhere.test" in result.stderr


def test_user_add_twice_is_refused(instance):
    instance.cli("domain", "add", "example.test")
    instance.cli("user", "add", "alice@example.test", "--password-stdin", input="pw-123456\n")
    result = instance.cli(
        "user", "add", "alice@example.test", "--password-stdin", input="pw-123456\n", check=False
    )
    assert result.returncode == EX_DATAERR
    assert "alice@example.test" in result.stderr


def test_a_password_is_never_taken_from_argv(instance):
    result = instance.cli("user", "add", "alice@example.test", "--password", "x", check=False)
    assert result.returncode == EX_USAGE_CLAP


def test_empty_password_from_stdin_is_refused(instance):
    instance.cli("domain", "add", "example.test")
    result = instance.cli(
        "user", "add", "alice@example.test", "--password-stdin", input="\n", check=False
    )
    assert result.returncode == EX_DATAERR


def test_passwd_generate_prints_a_new_password_once(instance):
    instance.cli("domain", "add", "example.test")
    instance.cli("user", "add", "alice@example.test", "--password-stdin", input="pw-123456\n")
    first = instance.cli("user", "passwd", "alice@example.test", "--generate").stdout.strip()
    second = instance.cli("user", "passwd", "alice@example.test", "--generate").stdout.strip()
    assert len(first) >= 16 and len(second) >= 16
    assert first != second


def test_disable_and_enable_show_in_the_listing(instance):
    instance.cli("domain", "add", "example.test")
    instance.cli("user", "add", "alice@example.test", "--password-stdin", input="pw-123456\n")
    instance.cli("user", "disable", "alice@example.test")
    assert "disabled" in instance.cli("user", "list").stdout
    instance.cli("user", "enable", "alice@example.test")
    assert "disabled" not in instance.cli("user", "list").stdout


def test_user_quota_sets_and_removes_the_limit(instance):
    instance.cli("domain", "add", "example.test")
    instance.cli("user", "add", "alice@example.test", "--password-stdin", input="s3cret-pass\n")
    instance.cli("user", "quota", "alice@example.test", "500M")
    assert "quota 500M" in instance.cli("user", "list").stdout
    instance.cli("user", "quota", "alice@example.test", "none")
    assert "quota unlimited" in instance.cli("user", "list").stdout
    bad = instance.cli("user", "quota", "alice@example.test", "lots", check=False)
    assert bad.returncode == EX_DATAERR


def test_commands_on_an_unknown_user_exit_nouser(instance):
    for command in (["disable"], ["enable"], ["delete"], ["passwd", "--generate"]):
        result = instance.cli("user", *command, "ghost@example.test", check=False)
        assert result.returncode == EX_NOUSER, command
        assert "ghost@example.test" in result.stderr


def test_user_delete_removes_the_account_and_its_mail(instance):
    instance.cli("domain", "add", "example.test")
    instance.cli("user", "add", "alice@example.test", "--password-stdin", input="pw-123456\n")
    users_dir = instance.data_dir / "users"
    assert any(users_dir.iterdir())
    instance.cli("user", "delete", "alice@example.test")
    assert "alice@example.test" not in instance.cli("user", "list").stdout
    assert not any(users_dir.iterdir())


def test_alias_to_two_users_is_listed_with_both(instance):
    instance.cli("domain", "add", "example.test")
    for user in ("alice", "bob"):
        instance.cli("user", "add", f"{user}@example.test", "--password-stdin", input="pw-123456\n")
    instance.cli("alias", "add", "team@example.test", "alice@example.test", "bob@example.test")
    listing = instance.cli("alias", "list").stdout
    team_lines = [line for line in listing.splitlines() if "team@example.test" in line]
    assert team_lines and "alice@example.test" in listing and "bob@example.test" in listing
    instance.cli("alias", "delete", "team@example.test")
    assert "team@example.test" not in instance.cli("alias", "list").stdout


def test_alias_to_an_unknown_user_is_refused(instance):
    instance.cli("domain", "add", "example.test")
    result = instance.cli("alias", "add", "team@example.test", "ghost@example.test", check=False)
    assert result.returncode in (EX_DATAERR, EX_NOUSER)
    assert "ghost@example.test" in result.stderr


def test_check_config_accepts_a_valid_file(instance):
    result = instance.cli("check-config")
    assert result.returncode == 0
    assert str(instance.config) in result.stdout


def test_check_config_accepts_the_shipped_example():
    result = subprocess.run([BIN, "--config", str(ROOT / "etc" / "postamt.toml"), "check-config"],
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr


def test_check_config_names_an_unknown_key(instance):
    instance.config.write_text(instance.config.read_text() + "\n[limits]\nmax_conections = 3\n")
    result = instance.cli("check-config", check=False)
    assert result.returncode == EX_CONFIG
    assert "max_conections" in result.stderr


def test_check_config_names_a_bad_value(instance):
    instance.config.write_text(instance.config.read_text() + "\n[limits]\nmax_connections = 0\n")
    result = instance.cli("check-config", check=False)
    assert result.returncode == EX_CONFIG
    assert "limits.max_connections" in result.stderr


def test_a_data_dir_that_cannot_be_created_gives_one_clear_error(instance, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    text = instance.config.read_text().replace(
        f'data_dir = "{instance.data_dir}"', f'data_dir = "{blocker}/data"'
    )
    instance.config.write_text(text)
    result = instance.cli("domain", "list", check=False)
    assert result.returncode == EX_CANTCREAT
    assert str(blocker) in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_reindex_of_an_unknown_user_exits_nouser(instance):
    result = instance.cli("reindex", "ghost@example.test", check=False)
    assert result.returncode == EX_NOUSER


def test_reindex_rebuilds_a_deleted_index(instance):
    instance.cli("domain", "add", "example.test")
    instance.cli("user", "add", "alice@example.test", "--password-stdin", input="pw-123456\n")
    [account_dir] = list((instance.data_dir / "users").iterdir())
    for name in ("index.db", "index.db-wal", "index.db-shm"):
        (account_dir / name).unlink(missing_ok=True)
    result = instance.cli("reindex", "alice@example.test")
    assert "index rebuilt from the files" in result.stdout
    assert (account_dir / "index.db").exists()
    # A second reindex finds the rebuilt index already agrees with the files.
    assert "0 message(s) indexed" in instance.cli("reindex", "alice@example.test").stdout
