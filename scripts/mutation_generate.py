r"""Generate mutmut's mutants (``mutants/``) without running any test.

``mutmut run`` generates every mutant, then runs the whole clean test suite and a
per-test coverage pass before it checks a single mutant: on a shared two-core machine
that is most of an hour before the first result. ``scripts/mutation_recheck.py`` only
needs the mutated copy, so this runs mutmut's own generation steps (copy of the tree,
mutation of the ``[tool.mutmut] only_mutate`` modules, one ``.py.meta`` per module with
every mutant not yet checked) and stops.

    python scripts/mutation_generate.py      # in the repository root
"""

from __future__ import annotations

import sys
from pathlib import Path

from mutmut.__main__ import create_mutants, set_mutant_under_test
from mutmut.utils.file_utils import copy_also_copy_files, copy_src_dir


def main() -> int:
    """Create ``mutants/`` with the mutated modules; print how many files were mutated."""
    set_mutant_under_test("mutant_generation")
    Path("mutants").mkdir(exist_ok=True)
    copy_src_dir()
    copy_also_copy_files()
    stats = create_mutants(1)
    print(f"{stats.mutated} files mutated, {stats.ignored} copied, {stats.unmodified} unmodified")
    return 0


if __name__ == "__main__":
    sys.exit(main())
