"""The root command's behaviour: every error is one line, and the conventions of a well-behaved tool hold."""

from __future__ import annotations

import sys

import typer
from typer.core import TyperGroup

from drill.cli.console import EXIT_USAGE, print_error, quiet_broken_pipe, state, stop_code
from drill.core.paths import HomeError

# click's exception classes, found through typer's public BadParameter (typer vendors click in some
# releases and depends on it in others): BadParameter -> UsageError -> ClickException
_CLICK_ERRORS = {c.__name__: c for c in typer.BadParameter.__mro__}
UsageError, ClickException = _CLICK_ERRORS["UsageError"], _CLICK_ERRORS["ClickException"]


class DrillGroup(TyperGroup):
    """The root command: every error is one line, and the conventions of a well-behaved tool hold.

    * ``--no-color`` is accepted before or after the command (it is taken out before parsing);
    * a usage error (bad option, out-of-range value) is one line on stderr, exit 2, never click's box;
    * output cut off by a closed pipe (``drill generate … | head``) ends quietly with exit 0.
    """

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):  # type: ignore[override]
        args = list(sys.argv[1:] if args is None else args)
        state.no_color = "--no-color" in args[: args.index("--") if "--" in args else len(args)]
        if state.no_color:
            args = [a for a in args if a != "--no-color"]
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        try:
            rv = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except UsageError as exc:
            if type(exc).__name__ == "NoArgsIsHelpError" and getattr(exc, "ctx", None) is not None:
                print(exc.ctx.get_help())  # bare 'drill' (or 'drill export') asks what there is: the help, not an error
                sys.exit(0)
            where = exc.ctx.command_path if getattr(exc, "ctx", None) is not None else "drill"
            print_error(f"{exc.format_message()} (see '{where} -h')")
            sys.exit(EXIT_USAGE)
        except ClickException as exc:
            print_error(exc.format_message())
            sys.exit(exc.exit_code)
        except typer.Abort:
            sys.exit(1)
        except HomeError as exc:
            print_error(str(exc))
            sys.exit(EXIT_USAGE)
        sys.exit(rv if isinstance(rv, int) else 0)

    def invoke(self, ctx):  # type: ignore[override]
        try:
            return super().invoke(ctx)
        except BrokenPipeError:
            quiet_broken_pipe()
        except KeyboardInterrupt as exc:  # typer would call every stop 130; SIGTERM is 143, SIGHUP 129
            raise typer.Exit(stop_code(exc)) from None
