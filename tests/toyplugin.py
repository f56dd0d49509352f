"""A small third-party era plugin, written the way an outside project would."""

from linuxmm import hookimpl
from linuxmm.errors import NotInThisKernel
from linuxmm.lists import FreeList
from linuxmm.pagealloc import PageAllocator, ZoneInfo
from linuxmm.records import Commit, ConfigSymbol, Implementation, ProcFile, Release


class ToyAllocator(PageAllocator):
    """One list of single pages, lowest address first."""

    default_mem = 1 << 20

    def __init__(self, kernel):
        super().__init__(kernel)
        self.setup(self.requested_mem())
        self.free = FreeList()
        for pfn in range(1, self.nr_pages):
            self.free.add_tail(pfn)

    def toy_get_page(self):
        if not self.free:
            return 0
        pfn = self.free.pop()
        self.frames.count[pfn] = 1
        return self.pfn_to_virt(pfn)

    def toy_put_page(self, addr):
        pfn = self.virt_to_pfn(addr)
        self.frames.count[pfn] = 0
        self.free.add(pfn)

    def nr_free_pages(self):
        return len(self.free)

    def allocated_pages(self):
        return self.nr_pages - 1 - len(self.free)

    def reserved_pages(self):
        return 1

    def zone_info(self):
        return [ZoneInfo("Toy", 0, self.nr_pages, self.nr_pages, len(self.free), [len(self.free)])]

    def show_mem(self):
        return f"toy: {len(self.free)} pages free\n"

    def alloc_block(self, order, gfp):
        if order:
            raise NotInThisKernel("the toy allocator has order 0 only")
        return self.toy_get_page()

    def free_block(self, addr, order):
        self.toy_put_page(addr)


@hookimpl
def linuxmm_commits():
    return [Commit("1234567890ab", "toy: add the toy allocator", "A. Toymaker", "2009-01-01", "v2.6.29")]


@hookimpl
def linuxmm_releases():
    return [Release("v2.6.29.2", base="v2.6.29", backports=("1234567890ab",))]


@hookimpl
def linuxmm_config_symbols():
    return [ConfigSymbol("TOY_PAGE_ALLOC", introduced="1234567890ab", help="use the toy page allocator")]


@hookimpl
def linuxmm_implementations():
    return [Implementation(subsystem="page_alloc", name="toy", factory=ToyAllocator, introduced="1234567890ab",
                           kconfig="TOY_PAGE_ALLOC", default=False, api=("toy_get_page", "toy_put_page"),
                           summary="a one-list toy")]


@hookimpl
def linuxmm_proc_files():
    return [ProcFile("toyinfo", render=lambda k: f"free {k.page_alloc.nr_free_pages()}\n", introduced="1234567890ab")]
