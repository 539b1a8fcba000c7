"""RFC 6962 / RFC 9162 Merkle tree hashing, proofs and proof verification.

Standard library only, so the same file can travel inside a court bundle and be
run by a verifier that has nothing of crisiscell installed.

    leaf hash   = SHA-256(0x00 || leaf bytes)
    node hash   = SHA-256(0x01 || left || right)
    MTH(D[n])   = the RFC 6962 tree: the left subtree holds the largest power of
                  two smaller than n leaves.
"""

from __future__ import annotations

from collections.abc import Sequence
from hashlib import sha256

EMPTY_ROOT = sha256(b"").digest()


def leaf_hash(data: bytes) -> bytes:
    return sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return sha256(b"\x01" + left + right).digest()


def _perfect_root(level: list[bytes]) -> bytes:
    """Root of a perfect tree (a power-of-two number of leaf hashes), one level at a time."""
    while len(level) > 1:
        pairs = iter(level)
        level = [sha256(b"\x01" + left + right).digest() for left, right in zip(pairs, pairs, strict=True)]
    return level[0]


def _largest_power_of_two_below(n: int) -> int:
    return 1 << ((n - 1).bit_length() - 1)


class Frontier:
    """The right edge of a growing tree: one perfect-subtree hash per set bit of ``size``.

    Appending a leaf costs one hash per trailing one-bit of the old size (amortised
    one); the root is available at any size without keeping the leaves.
    """

    __slots__ = ("size", "stack")

    def __init__(self, size: int = 0, stack: Sequence[bytes] = ()) -> None:
        if len(stack) != size.bit_count():
            raise ValueError("A frontier holds one hash per set bit of its size.")
        self.size = size
        self.stack = list(stack)

    def append(self, hashed_leaf: bytes) -> None:
        n = self.size
        stack = self.stack
        node = hashed_leaf
        while n & 1:
            node = sha256(b"\x01" + stack.pop() + node).digest()
            n >>= 1
        stack.append(node)
        self.size += 1

    def extend(self, hashed_leaves: Sequence[bytes]) -> None:
        """Append many leaves: whole perfect subtrees hashed level by level, then joined on.

        The same tree as calling ``append`` for each leaf, with far less interpreter
        work per hash: the verifier hashes a million leaves this way.
        """
        leaves = hashed_leaves if isinstance(hashed_leaves, list) else list(hashed_leaves)
        start, total = 0, len(leaves)
        while start < total:
            # The next subtree may be as large as the lowest set bit of the size
            # (any size when empty), and no larger than what is left.
            room = self.size & -self.size or total
            width = 1 << (min(room, total - start).bit_length() - 1)
            self._push(_perfect_root(leaves[start : start + width]), width)
            start += width

    def _push(self, node: bytes, width: int) -> None:
        """Join a perfect subtree of ``width`` leaves (a power of two dividing the size) on the right."""
        n, stack = self.size, self.stack
        level = width
        while n & level:
            node = sha256(b"\x01" + stack.pop() + node).digest()
            level <<= 1
        stack.append(node)
        self.size = n + width

    def root(self) -> bytes:
        if not self.stack:
            return EMPTY_ROOT
        stack = self.stack
        node = stack[-1]
        for left in reversed(stack[:-1]):
            node = sha256(b"\x01" + left + node).digest()
        return node

    def to_hex(self) -> str:
        return ",".join(h.hex() for h in self.stack)

    @classmethod
    def from_hex(cls, size: int, text: str) -> Frontier:
        return cls(size, [bytes.fromhex(part) for part in text.split(",") if part])


def root_of(hashed_leaves: Sequence[bytes]) -> bytes:
    frontier = Frontier()
    frontier.extend(hashed_leaves)
    return frontier.root()


def _mth(hashes: Sequence[bytes], lo: int, hi: int) -> bytes:
    n = hi - lo
    if n == 0:
        return EMPTY_ROOT
    if n == 1:
        return hashes[lo]
    k = _largest_power_of_two_below(n)
    return node_hash(_mth(hashes, lo, lo + k), _mth(hashes, lo + k, hi))


def inclusion_proof(hashed_leaves: Sequence[bytes], index: int, tree_size: int) -> list[bytes]:
    """The audit path of leaf ``index`` in the tree of the first ``tree_size`` leaves."""
    if not 0 <= index < tree_size <= len(hashed_leaves):
        raise ValueError("The leaf index must lie inside the tree.")
    proof: list[bytes] = []
    lo, hi, m = 0, tree_size, index
    # Walk down from the root, collecting the sibling of each subtree we enter.
    while hi - lo > 1:
        k = _largest_power_of_two_below(hi - lo)
        if m < k:
            proof.append(_mth(hashed_leaves, lo + k, hi))
            hi = lo + k
        else:
            proof.append(_mth(hashed_leaves, lo, lo + k))
            lo, m = lo + k, m - k
    proof.reverse()
    return proof


def verify_inclusion(hashed_leaf: bytes, index: int, tree_size: int, proof: Sequence[bytes], root: bytes) -> bool:
    """RFC 9162 section 2.1.3.2."""
    if index >= tree_size or index < 0:
        return False
    fn, sn, r = index, tree_size - 1, hashed_leaf
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def consistency_proof(hashed_leaves: Sequence[bytes], first: int, second: int) -> list[bytes]:
    """RFC 6962 PROOF(m, D[n]): shows the tree of size ``first`` is a prefix of ``second``."""
    if not 0 < first <= second <= len(hashed_leaves):
        raise ValueError("Consistency needs 0 < first <= second <= number of leaves.")
    if first == second:
        return []

    def subproof(m: int, lo: int, hi: int, complete: bool) -> list[bytes]:
        n = hi - lo
        if m == n:
            return [] if complete else [_mth(hashed_leaves, lo, hi)]
        k = _largest_power_of_two_below(n)
        if m <= k:
            return [*subproof(m, lo, lo + k, complete), _mth(hashed_leaves, lo + k, hi)]
        return [*subproof(m - k, lo + k, hi, False), _mth(hashed_leaves, lo, lo + k)]

    return subproof(first, 0, second, True)


def verify_consistency(first: int, second: int, first_root: bytes, second_root: bytes, proof: Sequence[bytes]) -> bool:
    """RFC 9162 section 2.1.4.2."""
    if first < 1 or first > second:
        return False
    if first == second:
        return not proof and first_root == second_root
    path = list(proof)
    if first & (first - 1) == 0:  # an exact power of two
        path.insert(0, first_root)
    if not path:
        return False
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return sn == 0 and fr == first_root and sr == second_root


class TreeLevels:
    """Every level of the tree of the first ``tree_size`` leaves, for many proofs at once.

    Pairing nodes level by level and carrying an odd last node up unchanged builds
    exactly the RFC 6962 tree (its left subtree is always the largest power of two).
    Building costs one hash per node; each proof is then a walk up the levels.
    """

    def __init__(self, hashed_leaves: Sequence[bytes], tree_size: int) -> None:
        if not 0 < tree_size <= len(hashed_leaves):
            raise ValueError("The tree must have at least one leaf, and no more than given.")
        level = list(hashed_leaves[:tree_size])
        self.levels = [level]
        while len(level) > 1:
            paired = [sha256(b"\x01" + level[i] + level[i + 1]).digest() for i in range(0, len(level) - 1, 2)]
            if len(level) % 2:
                paired.append(level[-1])
            level = paired
            self.levels.append(level)
        self.size = tree_size

    def root(self) -> bytes:
        return self.levels[-1][0]

    def proof(self, index: int) -> list[bytes]:
        """The same audit path as ``inclusion_proof`` (bottom up)."""
        if not 0 <= index < self.size:
            raise ValueError("The leaf index must lie inside the tree.")
        path = []
        for level in self.levels[:-1]:
            sibling = index ^ 1
            if sibling < len(level):
                path.append(level[sibling])
            index //= 2
        return path


def subtree_root(hashed_leaves: Sequence[bytes], tree_size: int) -> bytes:
    """MTH of the first ``tree_size`` leaves (the reference implementation, for tests)."""
    return _mth(hashed_leaves, 0, tree_size)
