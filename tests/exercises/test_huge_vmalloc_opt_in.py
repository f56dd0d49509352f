"""Small pages again.

x86-64 kernels from v5.18-rc1 map a large ``vmalloc`` with 2 MB pages: an
allocation of at least 2 MB gets its memory as 2 MB blocks and its page
tables as PMD entries, one TLB entry for every 512 small ones. A network
driver's 4 MB hash table benefits on v5.18-rc1: two huge pages. On v6.1 the
same table is made of 1024 pages of 4 KB, and the TLB misses are back.

The test allocates 4 MB and asserts that the pages behind it are of order 9
(2 MB). Why start from v5.18-rc1 and not from v5.17? The mapping code is
older than that, but x86-64 did not use it before v5.18-rc1: on v5.17 the
test fails too, and a bisection needs a good point where the test passes.

Which commit took the huge pages away from the driver?
"""

import pytest

EXERCISE = {
    "number": 14,
    "title": "Small pages again",
    "kind": "commit",
    "good": "v5.18-rc1",
    "bad": "v6.1",
    "answer": "sha256:4d266f6b:ade3acf53ac817b6c1a47389e98546101a8e086338682477c256fc54ed54ee9a",
}


@pytest.mark.kernel_boot(mem="256M")
def test_a_4mb_table_gets_2mb_pages(kernel):
    table = kernel.vmalloc(4 << 20)
    area = kernel.find_vm_area(table)
    assert area.nr_pages == 1024  # counted in 4 KB pages either way
    assert area.page_order == 9  # 2 MB blocks, mapped by PMD entries
