"""RFC 6962 / 9162 Merkle hashing, proofs and proof verification (``audit/merkle.py``).

Pure functions, no database. Exhaustive over small trees (every leaf, every pair of
sizes up to 33, which covers every shape of the recursion several times over),
property-based beyond that, and pinned to published and hand-computed vectors so
the tree stays interoperable with any other RFC 6962 implementation.
"""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crisiscell.audit import merkle

MAX_EXHAUSTIVE = 33


def _leaves(n: int, salt: bytes = b"") -> list[bytes]:
    return [merkle.leaf_hash(salt + i.to_bytes(4, "big")) for i in range(n)]


LEAVES = _leaves(200)
ROOTS = [merkle.subtree_root(LEAVES, n) for n in range(MAX_EXHAUSTIVE + 1)]


def _flip(value: bytes, bit: int = 0) -> bytes:
    changed = bytearray(value)
    changed[bit // 8 % len(changed)] ^= 1 << (bit % 8)
    return bytes(changed)


def _path_tamperings(proof: list[bytes]) -> list[list[bytes]]:
    """Every path that differs from ``proof`` by one changed, dropped or added element."""
    out: list[list[bytes]] = []
    for i in range(len(proof)):
        out.append([*proof[:i], _flip(proof[i], 7 * i + 3), *proof[i + 1 :]])
        out.append([*proof[:i], *proof[i + 1 :]])
    out.append([*proof, merkle.leaf_hash(b"extra")])
    out.append([merkle.leaf_hash(b"extra"), *proof])
    if len(proof) > 1:
        out.append(list(reversed(proof)))
    return out


# ---------------------------------------------------------------------------
# Known answers


def test_three_leaf_root_computed_by_hand() -> None:
    a, b, c = (hashlib.sha256(b"\x00" + data).digest() for data in (b"a", b"b", b"c"))
    ab = hashlib.sha256(b"\x01" + a + b).digest()
    root = hashlib.sha256(b"\x01" + ab + c).digest()

    assert [merkle.leaf_hash(d) for d in (b"a", b"b", b"c")] == [a, b, c]
    assert merkle.node_hash(a, b) == ab
    assert merkle.root_of([a, b, c]) == root
    assert merkle.subtree_root([a, b, c], 3) == root
    # The left subtree holds the largest power of two below n, not the midpoint
    # rounded up: for 3 leaves that is (a, b) then c, never a then (b, c).
    assert root != hashlib.sha256(b"\x01" + a + hashlib.sha256(b"\x01" + b + c).digest()).digest()
    # Leaf and node hashes are domain-separated: a node is not a leaf of its own bytes.
    assert merkle.leaf_hash(a + b) != ab


def test_empty_tree_is_the_hash_of_nothing() -> None:
    empty = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    assert merkle.EMPTY_ROOT.hex() == empty
    assert merkle.Frontier().root().hex() == empty
    assert merkle.subtree_root([], 0).hex() == empty


# The Certificate Transparency reference vectors (RFC 6962 test data, as shipped with
# the CT and transparency-dev/merkle implementations).
CT_DATA = [
    bytes.fromhex(h)
    for h in (
        "",
        "00",
        "10",
        "2021",
        "3031",
        "40414243",
        "5051525354555657",
        "606162636465666768696a6b6c6d6e6f",
    )
]
CT_ROOTS = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]


def test_certificate_transparency_reference_roots() -> None:
    hashed = [merkle.leaf_hash(d) for d in CT_DATA]
    frontier = merkle.Frontier()
    for n, (leaf, expected) in enumerate(zip(hashed, CT_ROOTS, strict=True), start=1):
        frontier.append(leaf)
        assert frontier.root().hex() == expected, n
        assert merkle.subtree_root(hashed, n).hex() == expected, n


@pytest.mark.parametrize(
    ("index", "path"),
    [
        (
            0,
            [
                "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
            ],
        ),
        (
            5,
            [
                "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
                "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
            ],
        ),
    ],
)
def test_certificate_transparency_reference_inclusion(index: int, path: list[str]) -> None:
    hashed = [merkle.leaf_hash(d) for d in CT_DATA]
    proof = merkle.inclusion_proof(hashed, index, 8)
    assert [p.hex() for p in proof] == path
    root = bytes.fromhex(CT_ROOTS[7])
    assert merkle.verify_inclusion(hashed[index], index, 8, proof, root)


def test_certificate_transparency_reference_consistency() -> None:
    hashed = [merkle.leaf_hash(d) for d in CT_DATA]
    proof = merkle.consistency_proof(hashed, 2, 8)
    assert [p.hex() for p in proof] == [
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
    ]
    assert merkle.verify_consistency(2, 8, bytes.fromhex(CT_ROOTS[1]), bytes.fromhex(CT_ROOTS[7]), proof)


# ---------------------------------------------------------------------------
# Frontier


def test_frontier_root_matches_reference_for_every_size_up_to_70() -> None:
    frontier = merkle.Frontier()
    assert frontier.root() == merkle.subtree_root(LEAVES, 0)
    for n in range(1, 71):
        frontier.append(LEAVES[n - 1])
        assert frontier.size == n
        assert len(frontier.stack) == n.bit_count()
        assert frontier.root() == merkle.subtree_root(LEAVES, n), n


@settings(max_examples=40, deadline=None)
@given(st.integers(min_value=0, max_value=2_000), st.binary(max_size=8))
def test_frontier_root_matches_reference_for_random_sizes(n: int, salt: bytes) -> None:
    leaves = _leaves(n, salt)
    frontier = merkle.Frontier()
    frontier.extend(leaves)
    assert frontier.root() == merkle.subtree_root(leaves, n) == merkle.root_of(leaves)


@settings(max_examples=40, deadline=None)
@given(st.integers(min_value=0, max_value=300), st.integers(min_value=0, max_value=300))
def test_frontier_resumed_from_hex_continues_the_same_tree(first: int, more: int) -> None:
    leaves = _leaves(first + more)
    frontier = merkle.Frontier()
    frontier.extend(leaves[:first])
    text = frontier.to_hex()
    resumed = merkle.Frontier.from_hex(first, text)
    assert resumed.size == frontier.size
    assert resumed.stack == frontier.stack
    assert resumed.to_hex() == text
    assert resumed.root() == frontier.root()
    resumed.extend(leaves[first:])
    assert resumed.root() == merkle.subtree_root(leaves, first + more)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=140), max_size=8))
def test_frontier_extended_in_uneven_batches_is_the_tree_of_appending_one_leaf_at_a_time(batches: list[int]) -> None:
    # extend() hashes whole perfect subtrees level by level; it must build the same tree.
    leaves = _leaves(sum(batches), b"batches")
    by_batch, by_leaf = merkle.Frontier(), merkle.Frontier()
    start = 0
    for width in batches:
        by_batch.extend(leaves[start : start + width])
        for leaf in leaves[start : start + width]:
            by_leaf.append(leaf)
        start += width
        assert (by_batch.size, by_batch.stack) == (by_leaf.size, by_leaf.stack)
    assert by_batch.root() == by_leaf.root() == merkle.root_of(leaves)
    by_batch.extend(iter(_leaves(3, b"more")))  # any iterable, not only a list
    assert by_batch.size == len(leaves) + 3


def test_frontier_hex_round_trip_at_every_small_size() -> None:
    frontier = merkle.Frontier()
    for n in range(70):
        again = merkle.Frontier.from_hex(n, frontier.to_hex())
        assert (again.size, again.stack, again.root()) == (n, frontier.stack, frontier.root())
        frontier.append(LEAVES[n])
    assert merkle.Frontier.from_hex(0, "").stack == []


def test_frontier_refuses_a_stack_that_does_not_fit_its_size() -> None:
    three = merkle.Frontier()
    three.extend(LEAVES[:3])
    with pytest.raises(ValueError, match="one hash per set bit"):
        merkle.Frontier.from_hex(4, three.to_hex())
    with pytest.raises(ValueError, match="one hash per set bit"):
        merkle.Frontier(1, [])


# ---------------------------------------------------------------------------
# Inclusion proofs


def test_inclusion_proofs_verify_for_every_leaf_and_nothing_else_does() -> None:
    other_leaf = merkle.leaf_hash(b"not in the tree")
    for n in range(1, MAX_EXHAUSTIVE + 1):
        root = ROOTS[n]
        for i in range(n):
            leaf = LEAVES[i]
            proof = merkle.inclusion_proof(LEAVES, i, n)
            assert merkle.verify_inclusion(leaf, i, n, proof, root), (i, n)

            # A different leaf: another one of the tree, a stranger, a flipped bit.
            for wrong in {LEAVES[(i + 1) % n], other_leaf, _flip(leaf)} - {leaf}:
                assert not merkle.verify_inclusion(wrong, i, n, proof, root), (i, n)
            # A different index, inside the tree or not.
            for j in [*range(-1, i), *range(i + 1, n + 2)]:
                assert not merkle.verify_inclusion(leaf, j, n, proof, root), (i, j, n)
            # A different root: flipped, or the true root of another size.
            assert not merkle.verify_inclusion(leaf, i, n, proof, _flip(root, 200))
            for m in range(1, MAX_EXHAUSTIVE + 1):
                if m != n:
                    assert not merkle.verify_inclusion(leaf, i, m, proof, ROOTS[m]), (i, n, m)
                    assert not merkle.verify_inclusion(leaf, i, n, proof, ROOTS[m]), (i, n, m)
            # A different size against the same root: refused whenever the path
            # for that size has another length (see the test below for the rest).
            for m in range(0, MAX_EXHAUSTIVE + 2):
                if m != n and (i >= m or len(merkle.inclusion_proof(LEAVES, i, m)) != len(proof)):
                    assert not merkle.verify_inclusion(leaf, i, m, proof, root), (i, n, m)
            # A changed, missing, extra or reordered path element.
            for tampered in _path_tamperings(proof):
                assert not merkle.verify_inclusion(leaf, i, n, tampered, root), (i, n)


def test_an_audit_path_alone_does_not_bind_the_tree_size() -> None:
    """Why a proof must be checked against a *signed* head, which binds size and root.

    Leaf 0's path in the 3-leaf tree, (h1, h2), has the same shape as a path in a
    4-leaf tree, where h2 would stand for the subtree (h2, h3). Verification with
    size 4 against the 3-leaf root therefore succeeds: the size is authenticated
    by the tree head's signature, not by the path.
    """
    proof = merkle.inclusion_proof(LEAVES, 0, 3)
    assert merkle.verify_inclusion(LEAVES[0], 0, 4, proof, ROOTS[3])
    assert not merkle.verify_inclusion(LEAVES[0], 0, 4, proof, ROOTS[4])


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_inclusion_proofs_in_larger_trees(data: st.DataObject) -> None:
    n = data.draw(st.integers(min_value=1, max_value=len(LEAVES)), label="size")
    i = data.draw(st.integers(min_value=0, max_value=n - 1), label="index")
    root = merkle.subtree_root(LEAVES, n)
    proof = merkle.inclusion_proof(LEAVES, i, n)
    assert merkle.verify_inclusion(LEAVES[i], i, n, proof, root)
    assert not merkle.verify_inclusion(_flip(LEAVES[i]), i, n, proof, root)
    if n > 1:
        j = data.draw(st.integers(min_value=0, max_value=n - 1).filter(lambda j: j != i))
        assert not merkle.verify_inclusion(LEAVES[i], j, n, proof, root)
    if proof:
        k = data.draw(st.integers(min_value=0, max_value=len(proof) - 1), label="element")
        bad = [*proof[:k], _flip(proof[k], 77), *proof[k + 1 :]]
        assert not merkle.verify_inclusion(LEAVES[i], i, n, bad, root)


def test_inclusion_proof_refuses_positions_outside_the_tree() -> None:
    for index, size in [(0, 0), (3, 3), (-1, 3), (0, len(LEAVES) + 1)]:
        with pytest.raises(ValueError, match="inside the tree"):
            merkle.inclusion_proof(LEAVES, index, size)


# ---------------------------------------------------------------------------
# Consistency proofs


def test_consistency_proofs_verify_for_every_pair_and_fail_when_tampered() -> None:
    for n in range(1, MAX_EXHAUSTIVE + 1):
        for m in range(1, n + 1):
            proof = merkle.consistency_proof(LEAVES, m, n)
            first, second = ROOTS[m], ROOTS[n]
            assert merkle.verify_consistency(m, n, first, second, proof), (m, n)

            assert not merkle.verify_consistency(m, n, _flip(first, 9), second, proof), (m, n)
            assert not merkle.verify_consistency(m, n, first, _flip(second, 9), proof), (m, n)
            assert not merkle.verify_consistency(m, n, second, first, proof) or m == n
            # A tree that rewrote history: the same first m leaves, a different leaf after.
            if m < n:
                forked = [*LEAVES[:m], _flip(LEAVES[m]), *LEAVES[m + 1 : n]]
                forked_root = merkle.subtree_root(forked, n)
                assert not merkle.verify_consistency(m, n, first, forked_root, proof)
                # Or a different leaf inside the first m, with an honest-looking proof.
                rewritten = [_flip(LEAVES[0]), *LEAVES[1:n]]
                rewritten_proof = merkle.consistency_proof(rewritten, m, n)
                assert not merkle.verify_consistency(m, n, first, merkle.subtree_root(rewritten, n), rewritten_proof), (
                    m,
                    n,
                )
            # The proof for m with the true roots of another pair of sizes.
            for other in range(1, n + 1):
                if other != m:
                    assert not merkle.verify_consistency(other, n, ROOTS[other], second, proof), (
                        m,
                        other,
                        n,
                    )
            if n < MAX_EXHAUSTIVE:
                assert not merkle.verify_consistency(m, n + 1, first, ROOTS[n + 1], proof)
            # A changed, missing, extra or reordered path element.
            for tampered in _path_tamperings(proof):
                assert not merkle.verify_consistency(m, n, first, second, tampered), (m, n)


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_consistency_proofs_in_larger_trees(data: st.DataObject) -> None:
    n = data.draw(st.integers(min_value=1, max_value=len(LEAVES)), label="second")
    m = data.draw(st.integers(min_value=1, max_value=n), label="first")
    first, second = merkle.subtree_root(LEAVES, m), merkle.subtree_root(LEAVES, n)
    proof = merkle.consistency_proof(LEAVES, m, n)
    assert merkle.verify_consistency(m, n, first, second, proof)
    assert not merkle.verify_consistency(m, n, _flip(first), second, proof)
    assert not merkle.verify_consistency(m, n, first, _flip(second), proof)
    if proof:
        k = data.draw(st.integers(min_value=0, max_value=len(proof) - 1), label="element")
        bad = [*proof[:k], _flip(proof[k], 101), *proof[k + 1 :]]
        assert not merkle.verify_consistency(m, n, first, second, bad)


def test_consistency_edge_cases() -> None:
    root = ROOTS[5]
    assert merkle.consistency_proof(LEAVES, 5, 5) == []
    assert merkle.verify_consistency(5, 5, root, root, [])
    assert not merkle.verify_consistency(5, 5, root, root, [root])
    assert not merkle.verify_consistency(0, 5, merkle.EMPTY_ROOT, root, [])
    assert not merkle.verify_consistency(6, 5, ROOTS[6], root, [])
    for first, second in [(0, 3), (4, 3), (1, len(LEAVES) + 1)]:
        with pytest.raises(ValueError, match="Consistency needs"):
            merkle.consistency_proof(LEAVES, first, second)


@given(st.data())
def test_tree_levels_give_the_same_root_and_proofs_as_the_reference(data: st.DataObject) -> None:
    n = data.draw(st.integers(min_value=1, max_value=len(LEAVES)), label="size")
    tree = merkle.TreeLevels(LEAVES, n)
    assert tree.root() == merkle.subtree_root(LEAVES, n)
    for i in range(n):
        assert tree.proof(i) == merkle.inclusion_proof(LEAVES, i, n)
