"""The command line's help in plain words: options and arguments named by what they hold."""

from __future__ import annotations

from typing import Any

from typer.core import TyperCommand, TyperGroup


def _plain_words(params: list[Any]) -> list[Any]:
    """Help in plain words: a value is shown by its metavar (MODEL, DIR, NAME), a flag by its name
    alone, never by a Python type (typer would show <list[Path]> beside an argument, <bool> beside a flag)."""
    for param in params:
        if getattr(param, "is_flag", False):
            param.metavar = ""
        elif param.param_type_name == "argument":
            setattr(param, "display_type_rich", lambda ctx: None)  # noqa: B010 (a method replaced on one object)
    return params


class PlainCommand(TyperCommand):
    def get_params(self, ctx: Any) -> list[Any]:
        return _plain_words(super().get_params(ctx))


class PlainGroup(TyperGroup):
    def get_params(self, ctx: Any) -> list[Any]:
        return _plain_words(super().get_params(ctx))
