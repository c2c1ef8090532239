"""The one validation toolkit: checkers shared by every layer.

Two kinds live here, in the spirit of scikit-learn's ``check_scalar``:

* **attrs validators** (``identifier``, ``text(required=...)``, ``int_range``,
  ``float_range``, ...) for the model's value classes: they raise
  :class:`~safety_collab.errors.ModelError` naming the field;
* **argument checkers** (:func:`check_int`, :func:`check_number`,
  :func:`check_probability`, :func:`check_bool`) for function and parameter
  arguments: they return the normalised value or raise the error class the caller
  names (a :class:`~safety_collab.errors.SpreadError` in the spread layer, a
  :class:`~safety_collab.errors.ParameterError` elsewhere), with the message
  ``"<name>: must be ... (got <value>)"``.

And the small helpers every message needs: :func:`short` (a bounded repr),
:func:`type_name`, :func:`known` (a bounded list of the ids that exist).

This module imports only :mod:`safety_collab.errors`, so every layer may use it.

Examples
--------
>>> from safety_collab._validate import check_int, check_number, known
>>> check_int("runs", 10, lo=1)
10
>>> check_number("p", 0.5, lo=0.0, hi=1.0)
0.5
>>> check_int("runs", 0, lo=1)
Traceback (most recent call last):
...
safety_collab.errors.ParameterError: runs: must be an integer >= 1 (got 0)
>>> known(["b", "a"])
'a, b'
"""

from __future__ import annotations

from safety_collab._validate.arguments import (
    check_array,
    check_bool,
    check_choice,
    check_date,
    check_instance,
    check_int,
    check_items,
    check_number,
    check_path,
    check_probability,
    validator,
)
from safety_collab._validate.fields import (
    ID_RE,
    MAX_TEXT,
    Validator,
    any_text,
    as_tuple,
    date_value,
    each_identifier,
    each_instance,
    enum_member,
    fail,
    field_fail,
    float_range,
    id_set,
    id_tuple,
    identifier,
    instance_of,
    int_range,
    label,
    number_in,
    optional_date,
    optional_enum_member,
    optional_finite,
    optional_identifier,
    optional_instance_of,
    optional_text,
    pattern,
    text,
)
from safety_collab._validate.messages import (
    UNSAVABLE,
    as_utc,
    described,
    is_finite,
    is_integer,
    is_number,
    known,
    short,
    type_name,
    unsavable,
)

__all__ = [
    "ID_RE",
    "MAX_TEXT",
    "UNSAVABLE",
    "Validator",
    "any_text",
    "as_tuple",
    "as_utc",
    "check_array",
    "check_bool",
    "check_choice",
    "check_date",
    "check_instance",
    "check_int",
    "check_items",
    "check_number",
    "check_path",
    "check_probability",
    "date_value",
    "described",
    "each_identifier",
    "each_instance",
    "enum_member",
    "fail",
    "field_fail",
    "float_range",
    "id_set",
    "id_tuple",
    "identifier",
    "instance_of",
    "int_range",
    "is_finite",
    "is_integer",
    "is_number",
    "known",
    "label",
    "number_in",
    "optional_date",
    "optional_enum_member",
    "optional_finite",
    "optional_identifier",
    "optional_instance_of",
    "optional_text",
    "pattern",
    "short",
    "text",
    "type_name",
    "unsavable",
    "validator",
]
