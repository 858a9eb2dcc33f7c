//! What every command starts from: the configuration (found as the README says) and, on demand,
//! the account directory and the mail store in its data dir.

use std::path::{Path, PathBuf};

use postamt::auth::Directory;
use postamt::config::{self, Config};
use postamt::store::MaildirBackend;

use super::failure::{Exit, Failure};

/// Where an installed postamt keeps its configuration.
const SYSTEM_CONFIG: &str = "/etc/postamt/postamt.toml";

/// Which configuration a command runs with.
#[derive(Debug, Clone)]
pub enum ConfigSource {
    File(PathBuf),
    EmbeddedDefault,
}

pub struct Context {
    pub config: Config,
    pub source: ConfigSource,
}

impl Context {
    /// `--config FILE` (or $POSTAMT_CONFIG), else the system file when it exists, else the
    /// embedded default.
    pub fn load(explicit: Option<PathBuf>) -> Result<Context, Failure> {
        let source = match explicit {
            Some(path) => ConfigSource::File(path),
            None if Path::new(SYSTEM_CONFIG).exists() => ConfigSource::File(SYSTEM_CONFIG.into()),
            None => ConfigSource::EmbeddedDefault,
        };
        let config = match &source {
            ConfigSource::File(path) => {
                Config::load(path).map_err(|e| Failure::new(Exit::Config, e))?
            }
            ConfigSource::EmbeddedDefault => Config::embedded_default(),
        };
        Ok(Context { config, source })
    }

    pub fn data_dir(&self) -> &Path {
        &self.config.server.data_dir
    }

    /// Creates the data dir if needed and checks it can be written.
    pub fn prepare_data_dir(&self) -> Result<(), Failure> {
        config::check_data_dir(self.data_dir()).map_err(|e| Failure::new(Exit::CantCreate, e))
    }

    pub fn directory(&self) -> Result<Directory, Failure> {
        self.prepare_data_dir()?;
        Ok(Directory::open(self.data_dir())?)
    }

    /// The mail store, through its blocking backend: admin commands run outside the runtime.
    pub fn store(&self) -> Result<MaildirBackend, Failure> {
        self.prepare_data_dir()?;
        Ok(MaildirBackend::new(self.data_dir()))
    }
}
