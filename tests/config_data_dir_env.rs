//! `$POSTAMT_DATA` chooses the default data dir. Alone in its binary: it sets a
//! process-wide environment variable.

use postamt::config::{Config, DATA_DIR_VARIABLE};

#[test]
fn data_dir_comes_from_postamt_data() {
    // SAFETY: the only test in this binary, so no other thread reads the environment.
    unsafe { std::env::set_var(DATA_DIR_VARIABLE, "/srv/mail-data") };
    assert_eq!(
        Config::embedded_default().server.data_dir,
        std::path::PathBuf::from("/srv/mail-data")
    );
    // SAFETY: as above.
    unsafe { std::env::remove_var(DATA_DIR_VARIABLE) };
    assert_eq!(
        Config::embedded_default().server.data_dir,
        std::path::PathBuf::from("postamt-data")
    );
}
