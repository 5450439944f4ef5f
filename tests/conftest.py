"""Shared test settings. In CI (CI=true) a skipped test fails the run: every oracle must run."""

from __future__ import annotations

import os

import pytest

_skipped: list[str] = []


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.skipped:
        _skipped.append(report.nodeid)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if os.environ.get("CI") and _skipped and exitstatus == 0:
        print(f"\nCI runs every test, but {len(_skipped)} were skipped:")
        for nodeid in _skipped:
            print(f"  {nodeid}")
        session.exitstatus = 1
