import subprocess
import sys

import pytest

from pipeline.cli import build_parser
from pipeline.up import summary_line
from tests.conftest import ROOT

COMMANDS = ["broker", "worker", "up", "feed", "tail", "enrich"]


@pytest.mark.parametrize("command", COMMANDS)
def test_every_subcommand_has_help(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        build_parser().parse_args([command, "--help"])
    assert exit_.value.code == 0
    assert "usage: wirestream " + command in capsys.readouterr().out


def test_console_script_runs() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "pipeline", "--help"],
        capture_output=True,
        cwd=ROOT,
        check=True,
        text=True,
    )
    assert all(command in done.stdout for command in COMMANDS)


def test_bad_setting_is_a_clear_error_and_exit_2() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "pipeline", "tail"],
        capture_output=True,
        cwd=ROOT,
        text=True,
        env={"WIRESTREAM_PARTITIONS": "x"},
    )
    assert done.returncode == 2
    assert "WIRESTREAM_PARTITIONS must be a int" in done.stderr


def test_summary_line_of_a_non_enriched_record() -> None:
    assert summary_line(b'{"a": 1}', None).startswith("(not an enriched record")
