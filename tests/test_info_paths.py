"""The info/ folder split into exact/, estimators/ and denoisers/ (issue 22): every old module path still
imports, as the very same module object (so ``mock.patch`` and private helpers keep working)."""

import importlib
import subprocess
import sys

import pytest

import symsched as ss
from symsched.info import _MOVED


@pytest.mark.parametrize("old", sorted(_MOVED))
def test_old_module_path_is_the_moved_module(old):
    moved = importlib.import_module(f"symsched.info.{_MOVED[old]}")
    assert importlib.import_module(f"symsched.info.{old}") is moved
    # the package attribute is the module, except where a function of the same name owns it
    assert getattr(ss.info, old) is (ss.torch_denoiser if old == "torch_denoiser" else moved)
    for name in getattr(moved, "__all__", []):
        assert hasattr(moved, name), name


def test_a_function_named_like_its_module_stays_the_function():
    assert callable(ss.info.torch_denoiser) and ss.info.torch_denoiser is ss.torch_denoiser
    assert ss.torch_denoiser.__module__ == "symsched.info.denoisers.torch_denoiser"


def test_old_paths_in_a_fresh_interpreter():
    code = ("import symsched.info.gibbs, symsched.info.montecarlo as mc\n"
            "from symsched.info.estimate import estimate_profile\n"
            "from symsched.info.junction import network_pieces\n"
            "import symsched.info.estimators.montecarlo as new\n"
            "assert mc is new and symsched.info.gibbs.gibbs_profile is not None\n")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_moved_modules_are_where_the_split_says():
    for new in _MOVED.values():
        module = importlib.import_module(f"symsched.info.{new}")
        assert module.__name__ == f"symsched.info.{new}" and module.__file__.endswith(f"{new.replace('.', '/')}.py")
