//! The `errata` command line: parse the arguments, dispatch to one command.

mod commands;

/// Loading a large repository allocates millions of small strings; mimalloc
/// makes that (and freeing them) several times cheaper than the system allocator.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::process::ExitCode;

/// mimalloc asks Linux for transparent huge pages, and the first touch of each
/// zeroes 2 MiB at once: a third of a warm `errata list` on 100,000 claims
/// (perf: `clear_page_erms` under `do_huge_pmd_anonymous_page`). With small
/// pages a run zeroes only what it touches. What mimalloc's own
/// `MIMALLOC_ALLOW_THP=0` does, which it can only read before `main`.
///
/// It runs from `.init_array`, as the standard library's own argument capture
/// does on glibc, because the Rust runtime allocates before `main` (the main
/// thread's name): called from `main`, it came after mimalloc had already
/// zeroed its first two huge pages, 0.7 ms of every run, a sixth of
/// `errata --version` (perf).
#[cfg(target_os = "linux")]
extern "C" fn small_pages() {
    // SAFETY: PR_SET_THP_DISABLE takes plain integers and changes only how
    // this process's memory is paged; on an old kernel it fails harmlessly.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}

#[cfg(target_os = "linux")]
#[used]
#[unsafe(link_section = ".init_array")]
static SMALL_PAGES: extern "C" fn() = small_pages;

/// libgit2 allocates through the C library's malloc, and reading history
/// allocates for every object: a cold `errata log ID` down 20,000 commits
/// spent a sixth of its time in glibc's malloc and free (perf). libgit2 lets a
/// program replace its allocator before it is initialised; this hands it
/// mimalloc's, as Rust's own allocations have.
fn libgit2_on_mimalloc() {
    use std::ffi::{c_char, c_int, c_void};

    /// libgit2's `git_allocator` (git2/sys/alloc.h).
    #[repr(C)]
    struct Allocator {
        malloc: unsafe extern "C" fn(usize, *const c_char, c_int) -> *mut c_void,
        realloc: unsafe extern "C" fn(*mut c_void, usize, *const c_char, c_int) -> *mut c_void,
        free: unsafe extern "C" fn(*mut c_void),
    }
    unsafe extern "C" fn malloc(n: usize, _: *const c_char, _: c_int) -> *mut c_void {
        // SAFETY: mi_malloc has malloc's contract.
        unsafe { libmimalloc_sys::mi_malloc(n) }
    }
    unsafe extern "C" fn realloc(
        p: *mut c_void,
        n: usize,
        _: *const c_char,
        _: c_int,
    ) -> *mut c_void {
        // SAFETY: `p` came from this table (it is set before libgit2 allocates).
        unsafe { libmimalloc_sys::mi_realloc(p, n) }
    }
    unsafe extern "C" fn free(p: *mut c_void) {
        // SAFETY: as for realloc.
        unsafe { libmimalloc_sys::mi_free(p) }
    }
    static ALLOCATOR: Allocator = Allocator {
        malloc,
        realloc,
        free,
    };
    // SAFETY: called first thing in main, before git2 initialises libgit2 (which
    // keeps an allocator set before it) or anything allocates through it; the
    // table is 'static, and libgit2 copies it.
    unsafe {
        libgit2_sys::git_libgit2_opts(
            libgit2_sys::GIT_OPT_SET_ALLOCATOR as c_int,
            &ALLOCATOR as *const Allocator,
        );
    }
}

use clap::Parser;

use commands::{Cli, Command};

fn main() -> ExitCode {
    libgit2_on_mimalloc();
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let cli = match Cli::try_parse_from(&args) {
        Ok(cli) => cli,
        Err(e) => commands::cmd_merge_driver::exit_on_parse_error(e, &args),
    };
    let ctx = cli.context();
    let result = match cli.command {
        Command::Init(args) => commands::cmd_init::run(&ctx, args),
        Command::Episode(args) => commands::cmd_episode::run(&ctx, args),
        Command::Suggest(args) => commands::cmd_suggest::run(&ctx, args),
        Command::Add(args) => commands::cmd_add::run(&ctx, args),
        Command::List(args) => commands::cmd_list::run(&ctx, args),
        Command::Show(args) => commands::cmd_show::run(&ctx, args),
        Command::Start(args) => commands::cmd_start::run(&ctx, args),
        Command::Verdict(args) => commands::cmd_verdict::run(&ctx, args),
        Command::Source(args) => commands::cmd_source::run(&ctx, args),
        Command::Sources(args) => commands::cmd_sources::run(&ctx, args),
        Command::Correct(args) => commands::cmd_correct::run(&ctx, args),
        Command::Amend(args) => commands::cmd_amend::run(&ctx, args),
        Command::Report(args) => commands::cmd_report::run(&ctx, args),
        Command::Corrections(args) => commands::cmd_corrections::run(&ctx, args),
        Command::Export(args) => commands::cmd_export::run(&ctx, args),
        Command::Site(args) => commands::cmd_site::run(&ctx, args),
        Command::Validate(args) => commands::cmd_validate::run(&ctx, args),
        Command::Log(args) => commands::cmd_log::run(&ctx, args),
        Command::Index(args) => commands::cmd_index::run(&ctx, args),
        Command::Diff(args) => commands::cmd_diff::run(&ctx, args),
        Command::Edit(args) => commands::cmd_edit::run(&ctx, args),
        Command::Setup(args) => commands::cmd_setup::run(&ctx, args),
        Command::Sync(args) => commands::cmd_sync::run(&ctx, args),
        Command::Serve(args) => commands::cmd_serve::run(&ctx, args),
        Command::Completions(args) => commands::cmd_completions::run(&ctx, args),
        Command::Man(args) => commands::cmd_man::run(&ctx, args),
        Command::MergeDriver(args) => commands::cmd_merge_driver::run(&ctx, args),
    };
    match result {
        Ok(code) => code,
        Err(e) => e.report(&ctx),
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_well_formed() {
        crate::commands::Cli::command().debug_assert();
    }

    /// The test harness has its own `main`, so huge pages being off here shows
    /// the switch ran from `.init_array`, before any `main`.
    #[cfg(target_os = "linux")]
    #[test]
    fn huge_pages_are_off_before_main() {
        // SAFETY: PR_GET_THP_DISABLE takes no pointer and changes nothing.
        let off = unsafe { libc::prctl(libc::PR_GET_THP_DISABLE, 0, 0, 0, 0) };
        assert_eq!(off, 1, "PR_GET_THP_DISABLE");
    }
}
