"""The string form of an expression: ``(aggregate mean (metric ID mean))``.

S-expressions: parentheses nest, whitespace separates atoms, and every atom
stays a string (the validator of :mod:`.tree` reads numbers). As Gnocchi's
pyparsing grammar does, text after the first complete expression is only
tolerated when it is closing parentheses. Depth and size are bounded so
that no input can exhaust memory or recursion.
"""
import re

from statsvc.aggregates import InvalidOperations

_TOKEN = re.compile(r"\s*(?:(\()|(\))|([^\s()]+))")

PARSE_ERROR = "Fail to parse the operations string"


def _error(detail, position):
    return InvalidOperations("Invalid operations", PARSE_ERROR,
                             offset=position, message=detail)


def parse(text, max_depth, max_nodes):
    """Nested lists of strings for ``text``.

    :raises InvalidOperations: with the character ``offset`` of the fault,
        for unbalanced parentheses, a bare atom, nesting deeper than
        ``max_depth`` or more than ``max_nodes`` atoms and lists.
    """
    stack, root, nodes, position = [], None, 0, 0
    length = len(text)
    while position < length:
        match = _TOKEN.match(text, position)
        if match is None:  # only trailing whitespace is left
            break
        opening, closing, atom = match.groups()
        start = match.start(match.lastindex)
        position = match.end()
        if root is not None:
            if closing:
                continue
            raise _error("unexpected text after the expression", start)
        if not closing:
            nodes += 1
            if nodes > max_nodes:
                raise _error(f"more than {max_nodes} atoms and lists",
                             start)
        if opening:
            if len(stack) >= max_depth:
                raise _error(f"nested deeper than {max_depth}", start)
            child = []
            if stack:
                stack[-1].append(child)
            stack.append(child)
        elif closing:
            if not stack:
                raise _error("unbalanced ')'", start)
            finished = stack.pop()
            if not stack:
                root = finished
        elif not stack:
            raise _error("expected '('", start)
        else:
            stack[-1].append(atom)
    if root is None:
        raise _error("expected ')'" if stack else "empty expression", length)
    return root
