"""Node handlers for the remaining expressions: literals, variables, lists, functions and
calls, selection, ``with``, ``if``, ``assert`` and the operators.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from nixlint.evaluate.handlers import expression_of, handles, node_text
from nixlint.evaluate.values import (
    AttrSet,
    Conditional,
    Failure,
    Lambda,
    List,
    Opaque,
    Scope,
    Thunk,
    Unknown,
    Value,
    caused_by,
)

if TYPE_CHECKING:
    from tree_sitter import Node

    from nixlint.evaluate.evaluator import Evaluator
    from nixlint.parse import SourceFile


@handles("source_code", "parenthesized_expression")
def _eval_wrapper(ev: Evaluator, node: Node, env: Scope, src: SourceFile) -> Value:
    inner = expression_of(node)
    if inner is None:
        return Unknown("empty expression", src.span(node))
    return ev.eval(inner, env, src)


@handles("integer_expression")
def _eval_int(ev: Evaluator, node: Node, env: Scope, src: SourceFile) -> Value:
    value = int(node_text(node, src))
    if value >= 1 << 63:
        return Failure("integer literal out of range", src.span(node))
    return value


@handles("float_expression")
def _eval_float(ev: Evaluator, node: Node, env: Scope, src: SourceFile) -> Value:
    try:
        return float(node_text(node, src))
    except ValueError:
        return Failure("malformed float literal", src.span(node))


@handles("uri_expression")
def _eval_uri(ev: Evaluator, node: Node, env: Scope, src: SourceFile) -> Value:
    return node_text(node, src)


@handles("variable_expression")
def _eval_variable(ev: Evaluator, node: Node, env: Scope, src: SourceFile) -> Value:
    name_node = node.child_by_field_name("name")
    name = node_text(name_node if name_node is not None else node, src)
    return ev.lookup(name, env, src.span(node))


@handles("list_expression")
def _eval_list(ev: Evaluator, node: Node, env: Scope, src: SourceFile) -> Value:
    return List(
        [Thunk(e, env, src, ev) for e in node.children_by_field_name("element")], src.span(node)
    )


@handles("with_expression")
def _eval_with(ev: Evaluator, node: Node, env: Scope, src: SourceFile) -> Value:
    environment = node.child_by_field_name("environment")
    body = node.child_by_field_name("body")
    if environment is None or body is None:
        return Unknown("incomplete with expression", src.span(node))
    return ev.eval(body, Scope({}, env, Thunk(environment, env, src, ev)), src)


@handles("function_expression")
def _eval_function(ev: Evaluator, node: Node, env: Scope, src: SourceFile) -> Value:
    return Lambda(node, env, src)


@handles("apply_expression")
def _eval_apply(ev: Evaluator, node: Node, env: Scope, src: SourceFile) -> Value:
    fn_node = node.child_by_field_name("function")
    arg_node = node.child_by_field_name("argument")
    if fn_node is None or arg_node is None:
        return Unknown("incomplete function call", src.span(node))
    fn = ev.eval(fn_node, env, src)
    return ev.apply(fn, Thunk(arg_node, env, src, ev), src.span(node))


@handles("select_expression")
def _eval_select(ev: Evaluator, node: Node, env: Scope, src: SourceFile) -> Value:
    base_node = expression_of(node)
    path = node.child_by_field_name("attrpath")
    if base_node is None or path is None:
        return Unknown("incomplete selection", src.span(node))
    default = node.child_by_field_name("default")
    value = ev.eval(base_node, env, src)
    span = src.span(node)
    for component in path.children_by_field_name("attr"):
        name = ev.attr_name(component, env, src)
        if name is None:
            return Failure("selection of ${null}", span)
        if isinstance(name, Unknown):
            return caused_by(
                f"selection with an unknown name: {name.reason}", name, name.span or span
            )
        if isinstance(value, Opaque):
            value = value.select(name, span)
            continue
        if isinstance(value, AttrSet):
            found = value.get(name)
            if found is None:
                if value.partial is not None:
                    return Unknown(f"{value.partial}.{name} is not modelled", span)
                if value.dynamic:
                    return Unknown(f"attribute {name!r} may be defined under a dynamic name", span)
                if default is not None:
                    return ev.eval(default, env, src)
                return Failure(f"attribute {name!r} missing", span)
            value = found.force()
            continue
        if isinstance(value, Unknown):
            return value
        if default is not None:
            return ev.eval(default, env, src)
        return Failure(f"cannot select {name!r} from a value that is not a set", span)
    return ev.resolved(value)


@handles("has_attr_expression")
def _eval_has_attr(ev: Evaluator, node: Node, env: Scope, src: SourceFile) -> Value:
    base_node = expression_of(node)
    path = node.child_by_field_name("attrpath")
    if base_node is None or path is None:
        return Unknown("incomplete `?` expression", src.span(node))
    value = ev.eval(base_node, env, src)
    span = src.span(node)
    for component in path.children_by_field_name("attr"):
        name = ev.attr_name(component, env, src)
        if name is None:
            return Failure("`?` with the name ${null}", span)
        if isinstance(name, Unknown):
            return caused_by(f"`?` with an unknown name: {name.reason}", name, span)
        value = ev.resolved(value)
        if isinstance(value, AttrSet):
            found = value.get(name)
            if found is None:
                if value.partial is not None or value.dynamic:
                    return Unknown(f"whether attribute {name!r} exists is unknown", span)
                return False
            value = found.force()
        elif isinstance(value, Unknown):
            return caused_by(f"`?` on an unknown value: {value.reason}", value, value.span or span)
        else:
            return False
    return True


@handles("if_expression")
def _eval_if(ev: Evaluator, node: Node, env: Scope, src: SourceFile) -> Value:
    cond_node = node.child_by_field_name("condition")
    then_node = node.child_by_field_name("consequence")
    else_node = node.child_by_field_name("alternative")
    if cond_node is None or then_node is None or else_node is None:
        return Unknown("incomplete if expression", src.span(node))
    cond = ev.eval(cond_node, env, src)
    if cond is True:
        return ev.eval(then_node, env, src)
    if cond is False:
        return ev.eval(else_node, env, src)
    if isinstance(cond, Failure):
        return cond
    if isinstance(cond, Unknown):
        return Conditional(
            Thunk(cond_node, env, src, ev),
            Thunk(then_node, env, src, ev),
            Thunk(else_node, env, src, ev),
            cond,
            src.span(node),
        )
    return Failure("if condition is not a Boolean", src.span(cond_node))


@handles("assert_expression")
def _eval_assert(ev: Evaluator, node: Node, env: Scope, src: SourceFile) -> Value:
    cond_node = node.child_by_field_name("condition")
    body = node.child_by_field_name("body")
    if cond_node is None or body is None:
        return Unknown("incomplete assert", src.span(node))
    cond = ev.eval(cond_node, env, src)
    if cond is False:
        return Failure("assertion failed", src.span(cond_node))
    if isinstance(cond, Failure):
        return cond
    if isinstance(cond, Unknown):
        # the body where the assertion holds, a failure where it does not
        return Conditional(
            Thunk(cond_node, env, src, ev),
            Thunk(body, env, src, ev),
            Thunk.of(Failure("assertion failed", src.span(cond_node))),
            cond,
            src.span(node),
        )
    if cond is not True:
        return Failure("assertion condition is not a Boolean", src.span(cond_node))
    return ev.eval(body, env, src)


@handles("unary_expression")
def _eval_unary(ev: Evaluator, node: Node, env: Scope, src: SourceFile) -> Value:
    from nixlint.evaluate.operators import negate, not_

    op = node.child_by_field_name("operator")
    arg = node.child_by_field_name("argument")
    if op is None or arg is None:
        return Unknown("incomplete unary expression", src.span(node))
    value = ev.eval(arg, env, src)
    span = src.span(node)
    return not_(value, span) if op.type == "!" else negate(value, span)


@handles("binary_expression")
def _eval_binary(ev: Evaluator, node: Node, env: Scope, src: SourceFile) -> Value:
    from nixlint.evaluate.operators import binary

    op = node.child_by_field_name("operator")
    left = node.child_by_field_name("left")
    right = node.child_by_field_name("right")
    if op is None or left is None or right is None:
        return Unknown("incomplete binary expression", src.span(node))
    return binary(
        ev, op.type, Thunk(left, env, src, ev), Thunk(right, env, src, ev), src.span(node)
    )


@handles("ERROR")
def _eval_error(ev: Evaluator, node: Node, env: Scope, src: SourceFile) -> Value:
    return Unknown("syntax error", src.span(node))
