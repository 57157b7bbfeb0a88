"""A stand-in for MLflow's tracking API (MLflow cannot be installed offline here): runs and their parameters, in memory."""

import uuid


class _Info:
    def __init__(self):
        self.run_id = uuid.uuid4().hex


class _Run:
    def __init__(self):
        self.info = _Info()
        self.params = {}


_active = None
runs = []


def start_run():
    global _active
    _active = _Run()
    runs.append(_active)
    return _active


def end_run():
    global _active
    _active = None


def active_run():
    return _active


def log_param(key, value):
    # As MLflow does: a parameter is logged once per run; another value for it is an error.
    if key in _active.params and _active.params[key] != str(value):
        raise ValueError(f"param {key} already logged with another value")
    _active.params[key] = str(value)
