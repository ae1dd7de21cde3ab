fn main() -> std::process::ExitCode {
    writ::cli::run()
}
