"""One reader for the case studies' real data files: a declared layout, a fast parse, one error.

A loader of a real dataset declares how its file is written — a :class:`Layout`: the separator,
the header line if there is one, and the :class:`Field` of each column in order, with its type and
the values it allows — and calls :func:`read_table`, which returns one column per field or raises
one :class:`DataFileError` naming the file, the line and the problem. Nothing is returned from a
bad file, so no cell ever computes on half a file or on a silently damaged one.

What a file must satisfy:

- it exists and is not empty; its header, if the layout has one, is the declared line (spaces
  around it and a UTF-8 byte-order mark are ignored);
- every line holds exactly one value per field, split by the separator; a blank line is an error,
  at the end too. Values are never quoted: a ``"`` is an ordinary character;
- every value parses as its field's type, and its field allows it (bounds, then predicate).
  ``int``: a whole number that fits in int64 (``12``; ``12.0`` and ``1.2e1`` too, as pandas reads
  them); ``float``: a finite number; ``str``: any text but the empty one;
- a value is empty (nothing between two separators, or after the last) only in a field declared
  ``optional``, and then it is *missing*: ``<NA>`` in an optional ``int`` column (pandas' nullable
  ``Int64``), NaN in an optional ``float`` column (float64), None in an optional ``str`` column
  (object). An empty value is never read as 0, and a missing value is never checked against the
  bounds or the predicate. Only the empty text is missing: ``NA``, ``nan`` or a space are values,
  checked as any other. (So in a layout of one optional field, a blank line is a missing value.)
- the file ends with a line break. Published files do; a last line without one is reported as cut
  short (an interrupted download), since a cut value often still parses: the timestamp
  ``879959068`` cut to ``879959`` is a valid integer. The fields' bounds catch most cut values too.

Line breaks may be ``\\n``, ``\\r\\n`` or ``\\r``; lines are numbered from 1, the header included,
as an editor numbers them. Text is UTF-8; bytes that are not read as U+FFFD.

How it reads: pandas' C parser reads the whole file in one pass with a dtype per column, then each
field is checked with array operations. The parser rejects a line with more values than the first
line, but pads a shorter one with empty values, which an optional field would accept; so when the
layout has optional fields, the separators of the file are counted too (a byte count, about a
tenth of the parse): as no line has more than the declared number of values, the total is right
only if every line has exactly that number. When the parser gives up or the count is off, the
whole file, and when a check flags a row, the lines from that row on, are split in Python, a chunk
at a time, to find the first bad line and say what is wrong with it. A valid file costs little
more than a plain ``pd.read_csv`` (``make bench``: about 1.2 times its time for a MovieLens
``u.data``, 1.7 to 1.9 times for a Criteo log, whose 26 text fields are each checked).
"""

from __future__ import annotations

import csv
import itertools
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from mlsd.validation import check_choice

TYPES = (int, float, str)
TYPE_NAMES = {int: "an integer", float: "a finite number", str: "non-empty text"}
DTYPES = {int: np.int64, float: np.float64, str: object}
OPTIONAL_DTYPES = {int: "Int64", float: np.float64, str: object}
ENCODING = "utf-8-sig"
LINES_PER_CHUNK = 200_000
CUT_SHORT = "the file does not end with a newline: was the download cut short?"
INT64_LIMIT = 2.0**63
BLOCK_BYTES = 1 << 24


class DataFileError(ValueError):
    """A data file that does not follow its layout: where it goes wrong, and how.

    ``str(error)`` is ``"PATH, line N: PROBLEM"``, or ``"PATH: PROBLEM"`` when the problem is the
    file as a whole (missing, empty). In a notebook it is shown as that one line, without a
    traceback.

    Attributes
    ----------
    path : str
        The file.
    line : int or None
        The line at fault, numbered from 1; None for the file as a whole.
    problem : str
        What is wrong, quoting the line (shortened) when there is one.
    """

    def __init__(self, path, line: int | None, problem: str):
        self.path, self.line, self.problem = str(path), line, problem
        where = self.path if line is None else f"{self.path}, line {line}"
        super().__init__(f"{where}: {problem}")

    def __reduce__(self):
        return type(self), (self.path, self.line, self.problem)

    def _render_traceback_(self):
        return [f"DataFileError: {self}"]


@dataclass(frozen=True)
class Field:
    """One column of a data file: its name, its type, and the values it allows.

    Attributes
    ----------
    name : str
        The column's name in the table read, and how messages name the field.
    type : type
        ``int``, ``float`` or ``str`` (see the module docstring for what each accepts).
    low, high : float or None
        Closed bounds on the value; None means no bound. Only for ``int`` and ``float`` fields.
    allowed : callable or None
        A vectorised predicate, ``allowed(values) -> bool array``, on the field's parsed values
        (a numpy array); True where a value is allowed. Checked after the bounds.
    description : str
        What is allowed, as a message says it (``"a Unix time between 1995-01-01 and the
        present"``). Required with ``allowed``; otherwise built from the type and the bounds.
    optional : bool
        Whether the value may be empty, meaning missing (see the module docstring for how a missing
        value is read). The bounds and the predicate apply to the values present only. False: an
        empty value is an error.
    """

    name: str
    type: type
    low: float | None = None
    high: float | None = None
    allowed: Callable[[np.ndarray], np.ndarray] | None = None
    description: str = ""
    optional: bool = False

    def __post_init__(self):
        check_choice(f"field {self.name}: type", self.type, TYPES)
        if self.type is str and (self.low is not None or self.high is not None):
            raise ValueError(f"field {self.name}: bounds need a numeric type; got type str")
        if self.allowed is not None and not self.description:
            raise ValueError(f"field {self.name}: a predicate needs a description of what passes")

    @property
    def what_is_allowed(self) -> str:
        """The description, or one built from the type and bounds: ``an integer >= 0``; an optional
        field's ends with ``, or empty``."""
        value = self._what_a_value_may_be
        return f"{value}, or empty" if self.optional else value

    @property
    def dtype(self):
        """The dtype of the field's column in the table read (see the module docstring)."""
        return (OPTIONAL_DTYPES if self.optional else DTYPES)[self.type]

    @property
    def _what_a_value_may_be(self) -> str:
        if self.description:
            return self.description
        kind = "text" if self.type is str and self.optional else TYPE_NAMES[self.type]
        if self.low is not None and self.high is not None:
            return f"{kind} in [{self.low:g}, {self.high:g}]"
        if self.low is not None:
            return f"{kind} >= {self.low:g}"
        if self.high is not None:
            return f"{kind} <= {self.high:g}"
        return kind

    def allows(self, values: np.ndarray) -> np.ndarray:
        """Where parsed ``values`` (present ones: never a missing value) are within the bounds and
        pass the predicate."""
        checks = []
        if self.low is not None:
            checks.append(values >= self.low)
        if self.high is not None:
            checks.append(values <= self.high)
        if self.allowed is not None:
            checks.append(np.asarray(self.allowed(values), dtype=bool))
        if not checks:
            return np.ones(len(values), dtype=bool)
        return np.logical_and.reduce(checks) if len(checks) > 1 else checks[0]


@dataclass(frozen=True)
class Layout:
    """How a data file is written.

    Attributes
    ----------
    name : str
        What the file holds, as messages say what was expected (``"MovieLens ratings, u.data
        layout (ml-100k)"``).
    separator : str
        What separates the values of a line: one character, or one character repeated (``::``).
    fields : tuple of Field
        The fields of every line, in order.
    header : str or None
        The first line of the file, exactly; None when the file has no header.
    """

    name: str
    separator: str
    fields: tuple[Field, ...]
    header: str | None = None

    def __post_init__(self):
        object.__setattr__(self, "fields", tuple(self.fields))
        if not self.separator or len(set(self.separator)) != 1 or self.separator[0] in "\r\n":
            raise ValueError(
                f"layout {self.name}: separator must be one character, or one repeated, and no "
                f"line break; got {self.separator!r}"
            )
        if not self.fields or not all(isinstance(field, Field) for field in self.fields):
            raise ValueError(f"layout {self.name}: fields must be a non-empty sequence of Field")
        names = [field.name for field in self.fields]
        if len(set(names)) != len(names):
            raise ValueError(f"layout {self.name}: field names must be distinct; got {names}")

    @property
    def header_lines(self) -> int:
        """Lines before the first line of values: 1 with a header, else 0."""
        return 0 if self.header is None else 1

    @property
    def field_names(self) -> list[str]:
        """The fields' names, in order: the columns of the table read."""
        return [field.name for field in self.fields]

    @property
    def separator_name(self) -> str:
        """The separator as a message names it: ``tabs``, or its repr."""
        return "tabs" if self.separator == "\t" else repr(self.separator)


def check_file(path: str | os.PathLike, expected: str) -> Path:
    """Return ``path`` as a Path if it is a file that is not empty; ``expected`` says what it holds.

    Raises
    ------
    DataFileError
        ``PATH: no such file; expected …`` (a folder is no file either) or
        ``PATH: the file is empty; expected …``.
    """
    path = Path(path)
    if not path.is_file():
        raise DataFileError(path, None, f"no such file; expected {expected}")
    if path.stat().st_size == 0:
        raise DataFileError(path, None, f"the file is empty; expected {expected}")
    return path


def read_table(path: str | os.PathLike, layout: Layout) -> pd.DataFrame:
    """Read a data file written in ``layout``: one column per field, one row per line of values.

    Parameters
    ----------
    path : str or os.PathLike
        The file.
    layout : Layout
        How it is written.

    Returns
    -------
    pandas.DataFrame
        Columns named after the fields, in order: int64 for ``int`` fields, float64 for ``float``,
        object (Python ``str``) for ``str``; for an optional field, ``Int64`` with ``<NA>``, float64
        with NaN, object with None (:attr:`Field.dtype`); row ``i`` is line
        ``i + 1 + layout.header_lines``; index ``0 … n − 1``.

    Raises
    ------
    DataFileError
        For the first problem of the file: missing, empty, a wrong header, a file with a header and
        no line after it, or a line with the wrong number of values, a value that does not parse as
        its field's type or that its field does not allow, or a last line cut short. The message
        names the file and the line, and quotes it.
    """
    path = check_file(path, layout.name)
    try:
        _check_header(path, layout)
        table = _read_fast(path, layout)
        if table is None:
            table = _read_lines(path, layout, first_row=0)
        else:
            suspect = _first_suspect_row(table, layout, cut_short=not _ends_with_line_break(path))
            if suspect is not None:
                rest = _read_lines(path, layout, first_row=suspect)
                table = pd.concat([table.iloc[:suspect], rest], ignore_index=True)
    except OSError as error:
        raise DataFileError(path, None, f"cannot read it ({error.strerror or error})") from None
    if table.empty:
        if layout.header is None:
            raise DataFileError(path, None, f"the file is empty; expected {layout.name}")
        ends = f"the file ends after its header; expected {layout.name}"
        raise DataFileError(path, layout.header_lines + 1, ends)
    return table


def _check_header(path: Path, layout: Layout) -> None:
    if layout.header is None:
        return
    with _open_text(path) as file:
        first_line = file.readline()
    if first_line.strip() != layout.header:
        found = _quoted(first_line.rstrip("\n"))
        raise DataFileError(path, 1, f"expected the header {layout.header!r}; found {found}")
    if not first_line.endswith("\n"):
        raise DataFileError(path, 1, f"{CUT_SHORT} The last line reads {_quoted(first_line)}")


def _read_fast(path: Path, layout: Layout) -> pd.DataFrame | None:
    """Every line of values by pandas' C parser, typed; None if some line defeats it.

    A repeated separator (``::``) is read as its one character, which leaves an empty column
    between two values, because the C parser splits on single characters only; a line whose
    in-between columns are not all empty defeats it too. Only optional fields' columns read the
    empty text as missing; then a line padded by the parser would pass as one with empty values,
    so a wrong separator count defeats it too. (Without optional fields, the padding is caught by
    the parser or the checks: an empty value is an error in every field.)
    """
    width = len(layout.separator)
    n_columns = len(layout.fields) * width - (width - 1)
    value_columns = list(range(0, n_columns, width))
    dtypes = dict.fromkeys(range(n_columns), object)
    dtypes.update({column: f.dtype for column, f in zip(value_columns, layout.fields)})
    missing = {column: [""] for column, f in zip(value_columns, layout.fields) if f.optional}
    try:
        table = pd.read_csv(
            path,
            sep=layout.separator[0],
            header=None,
            skiprows=layout.header_lines,
            dtype=dtypes,
            quoting=csv.QUOTE_NONE,
            na_filter=bool(missing),
            na_values=missing or None,
            keep_default_na=False,
            skip_blank_lines=False,
            engine="c",
            encoding=ENCODING,
            encoding_errors="replace",
        )
    except (ValueError, TypeError, OverflowError):  # ParserError, EmptyDataError: ValueErrors
        return None
    if table.shape[1] != n_columns:
        return None
    if width > 1 and (table.drop(columns=value_columns) != "").any(axis=None):
        return None
    if missing and _separator_count(path, layout) != len(table) * (n_columns - 1):
        return None
    table = table[value_columns].set_axis(layout.field_names, axis=1)
    for field in layout.fields:
        if field.optional and field.type is str:  # the parser's NaN becomes None
            texts = table[field.name].to_numpy(dtype=object, copy=True)
            texts[pd.isna(texts)] = None
            table[field.name] = pd.Series(texts, dtype=object)
    return table


def _separator_count(path: Path, layout: Layout) -> int:
    """How many separator characters the lines of values hold, the header's not counted.

    The parser has refused any line with more values than the first, so the count equals
    ``lines × (values per line − 1)`` only if no line has fewer.
    """
    separator = layout.separator[0].encode()
    count, in_header = 0, layout.header is not None
    with open(path, "rb") as file:
        while block := file.read(BLOCK_BYTES):
            if in_header:
                ends = [end for end in (block.find(b"\n"), block.find(b"\r")) if end >= 0]
                if not ends:
                    continue
                block, in_header = block[min(ends) + 1 :], False
            count += block.count(separator)
    return count


def _first_suspect_row(table: pd.DataFrame, layout: Layout, cut_short: bool) -> int | None:
    """The first row that a field's check flags (the last row too if the file is cut short)."""
    passed = np.ones(len(table), dtype=bool)
    for field in layout.fields:
        column = table[field.name]
        values = _numpy_values(column, field)
        present = _present(column, values, field)
        if field.type is float:
            passed &= np.isfinite(values) if present is None else np.isfinite(values) | ~present
        elif field.type is str and present is None:
            passed &= values != ""
        passed &= _allowed(field, values, present)
    if cut_short and len(passed):
        passed[-1] = False
    return None if passed.all() else int(np.argmin(passed))


def _numpy_values(column: pd.Series, field: Field) -> np.ndarray:
    """The column as a numpy array of the field's type; a missing integer reads as 0."""
    if field.optional and field.type is int:
        return column.to_numpy(dtype=np.int64, na_value=0)
    return column.to_numpy()


def _present(column: pd.Series, values: np.ndarray, field: Field) -> np.ndarray | None:
    """Where an optional field's value is present; None for a field that is not optional."""
    if not field.optional:
        return None
    return np.not_equal(values, None) if field.type is str else column.notna().to_numpy()


def _allowed(field: Field, values: np.ndarray, present: np.ndarray | None) -> np.ndarray:
    """Where ``values`` are allowed by ``field``; a missing value (``present`` False) passes."""
    if present is None:
        return field.allows(values)
    allowed = np.ones(len(values), dtype=bool)
    allowed[present] = field.allows(values[present])
    return allowed


def _read_lines(path: Path, layout: Layout, first_row: int) -> pd.DataFrame:
    """Lines of values from ``first_row`` on, split in Python a chunk at a time.

    Raises :class:`DataFileError` at the first bad line; the parse is the slow path's own, so its
    verdict is final.
    """
    chunks = []
    with _open_text(path) as file:
        lines = itertools.islice(file, layout.header_lines + first_row, None)
        line_number = layout.header_lines + first_row + 1
        while chunk := list(itertools.islice(lines, LINES_PER_CHUNK)):
            chunks.append(_parse_chunk(chunk, layout, path, line_number))
            line_number += len(chunk)
    if not chunks:
        return pd.DataFrame({f.name: pd.Series(dtype=f.dtype) for f in layout.fields})
    return pd.concat(chunks, ignore_index=True)


def _parse_chunk(lines: list[str], layout: Layout, path: Path, first_line: int) -> pd.DataFrame:
    """Typed values of ``lines``, numbered from ``first_line``; DataFileError at the first bad one.

    Only the file's last line can lack its line break, so a chunk whose last line lacks it is
    the file's last chunk, cut short.
    """
    texts = [line.rstrip("\n") for line in lines]
    expected = len(layout.fields)
    split = [text.split(layout.separator) for text in texts]
    counted = np.fromiter((len(values) == expected for values in split), bool, len(split))
    rows = [values if ok else [""] * expected for values, ok in zip(split, counted)]
    raw = pd.DataFrame(rows, columns=layout.field_names, dtype=object)
    parsed, of_type, allowed, present = {}, {}, {}, {}
    for field in layout.fields:
        parsed[field.name], of_type[field.name] = _parse(raw[field.name], field)
        present[field.name] = (raw[field.name] != "").to_numpy() if field.optional else None
        if field.optional:
            of_type[field.name] |= ~present[field.name]
        allowed[field.name] = _allowed(field, parsed[field.name], present[field.name])
    bad = ~counted
    for name in layout.field_names:
        bad |= ~of_type[name] | ~allowed[name]
    cut_short = not lines[-1].endswith("\n")
    bad[-1] |= cut_short
    if bad.any():
        row = int(np.argmax(bad))
        last_and_cut = cut_short and row == len(lines) - 1
        values = {name: (of_type[name][row], allowed[name][row]) for name in layout.field_names}
        problem = _problem(texts[row], split[row], layout, values, last_and_cut)
        raise DataFileError(path, first_line + row, problem)
    columns = {f.name: _column(parsed[f.name], present[f.name], f) for f in layout.fields}
    return pd.DataFrame(columns)


def _column(values: np.ndarray, present: np.ndarray | None, field: Field) -> pd.Series:
    """The field's column from its parsed values, missing where ``present`` is False."""
    if present is None:
        return pd.Series(values, dtype=field.dtype)
    if field.type is int:
        return pd.Series(pd.arrays.IntegerArray(values, ~present))
    placeholder = np.nan if field.type is float else None
    return pd.Series(np.where(present, values, placeholder), dtype=field.dtype)


def _parse(texts: pd.Series, field: Field) -> tuple[np.ndarray, np.ndarray]:
    """The field's values parsed from text, and where the text is of the field's type.

    Values where the text is not of the type are placeholders (0, NaN or the text).
    """
    if field.type is str:
        values = texts.to_numpy(dtype=object)
        return values, values != ""
    numbers = pd.to_numeric(texts, errors="coerce")
    if field.type is int and numbers.dtype.kind == "i":
        return numbers.to_numpy(dtype=np.int64), np.ones(len(numbers), dtype=bool)
    values = numbers.to_numpy(dtype=np.float64)
    finite = np.isfinite(values)
    if field.type is float:
        return values, finite
    whole = finite & (np.floor(values) == values) & (np.abs(values) < INT64_LIMIT)
    return np.where(whole, values, 0).astype(np.int64), whole


def _problem(text: str, values: list[str], layout: Layout, checks: dict, cut_short: bool) -> str:
    """What is wrong with one line: ``checks`` maps each field to (of its type, allowed)."""
    if cut_short:
        return f"{CUT_SHORT} The last line reads {_quoted(text)}"
    if not text.strip():
        return "the line is empty"
    quoted = f"; the line reads {_quoted(text)}"
    if len(values) != len(layout.fields):
        count = len(values)
        separated = f"separated by {layout.separator_name}"
        return f"expected {len(layout.fields)} fields {separated}, found {count}{quoted}"
    for field, value in zip(layout.fields, values):
        of_type, allowed = checks[field.name]
        if not of_type and field.type is str:
            return f"field {field.name} is empty{quoted}"
        if not of_type:
            return f"field {field.name} = {value!r} is not {TYPE_NAMES[field.type]}{quoted}"
        if not allowed:
            return f"field {field.name} = {value} is not allowed: {field.what_is_allowed}{quoted}"
    raise AssertionError(f"no problem found in a line flagged as bad: {text!r}")


def _ends_with_line_break(path: Path) -> bool:
    with open(path, "rb") as file:
        file.seek(-1, os.SEEK_END)
        return file.read(1) in (b"\n", b"\r")


def _open_text(path: Path):
    return open(path, encoding=ENCODING, errors="replace")


def _quoted(text: str, limit: int = 80) -> str:
    """``text`` cut to ``limit`` characters, quoted as Python quotes it (``\\t`` shown)."""
    return repr(text if len(text) <= limit else text[: limit - 1] + "…")
