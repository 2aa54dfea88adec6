"""A count of the changes to any emulated issue, for the emulators' listing caches.

A listing of N issues in pages of 100 asks N/100 times for the same selection in the same
order; filtering and sorting every issue for each page made the emulator's share of a
listing grow as N²/100. Each emulator keeps its last listing's selection with the
`Revision` it was made at, and uses it for a page of the same query only while the count
stands still. Every field set on an issue moves it (the issue classes call `bump` from
`__setattr__`), and so does every write request and every setup helper that adds, removes
or moves issues or milestones: any change makes the next page see the repository as it
is then, as the forge's own would.
"""

from __future__ import annotations


class Revision:
    value = 0

    @classmethod
    def bump(cls) -> None:
        cls.value += 1
