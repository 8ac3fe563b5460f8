"""Where a document's rows live in a release: the shard rule, importable without Beam.

Every document goes to shard `int(id[:8], 16) % num_shards` of each output folder (ids are
hashes, so shards are balanced), and each shard file is named by its index and the count. The
release writer uses this rule; `curate explain` and `curate takedown` use it to open only the
shard that holds a document.
"""

from __future__ import annotations


def shard_name(shard: int, num_shards: int) -> str:
    return f"part-{shard:05d}-of-{num_shards:05d}.parquet"


def shard_of(doc_id: str, num_shards: int) -> int:
    return int(doc_id[:8], 16) % num_shards
