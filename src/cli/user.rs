//! `mappatu user …`: accounts from the command line. Passwords are read from the terminal
//! without echo (asked twice), or from the first line of standard input when it is not a
//! terminal (scripts, tests); never from an argument, which other users of the machine
//! could read in the process list and which would stay in the shell's history.

use crate::auth::{Role, check_password, check_username, password};
use crate::store::{Actor, NewUser, Store};
use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand};
use std::io::{BufRead, IsTerminal, Write};

/// `mappatu user`.
#[derive(Debug, Args)]
pub struct UserArgs {
    /// What to do.
    #[command(subcommand)]
    pub command: UserCommand,
}

/// The `mappatu user` commands. Every change is in the audit log, by `cli`.
#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Add an account. The password (at least 12 characters) is asked on the terminal,
    /// twice, without echo; when standard input is not a terminal, its first line is
    /// the password.
    Add {
        /// Username: ASCII letters, digits, '.', '_', '-'.
        name: String,
        /// What the account may do.
        #[arg(long, value_enum)]
        role: Role,
    },
    /// List the accounts.
    List,
    /// Disable an account and end its sessions.
    Disable {
        /// Username.
        name: String,
    },
    /// Enable a disabled account.
    Enable {
        /// Username.
        name: String,
    },
    /// Set a new password (read like `add`'s) and end the account's sessions.
    ResetPassword {
        /// Username.
        name: String,
    },
}

/// Runs a `mappatu user` command against a store.
pub async fn run(store: &dyn Store, args: UserArgs) -> Result<()> {
    let cli = Actor::cli();
    match args.command {
        UserCommand::Add { name, role } => {
            check_username(&name).map_err(|e| anyhow::anyhow!("username: {e}"))?;
            if store.user_by_name(&name).await?.is_some() {
                bail!("an account named {name:?} already exists");
            }
            let pw = read_new_password(&name)?;
            let password_hash = password::hash(pw).await?;
            let new = NewUser {
                username: name.clone(),
                role,
                password_hash,
            };
            let Some(user) = store.create_user(&new, &cli).await? else {
                bail!("an account named {name:?} already exists");
            };
            println!("added {} {} (id {})", user.role, user.username, user.id);
        }
        UserCommand::List => {
            let users = store.users().await?;
            let mut out = std::io::stdout().lock();
            for u in &users {
                writeln!(
                    out,
                    "{}\t{}\t{}\t{}\tcreated {}",
                    u.id,
                    u.username,
                    u.role,
                    if u.enabled { "enabled" } else { "disabled" },
                    u.created_at.format("%Y-%m-%d %H:%M UTC"),
                )?;
            }
            writeln!(out, "{} account(s)", users.len())?;
        }
        UserCommand::Disable { name } => {
            let user = find(store, &name).await?;
            store.set_user_enabled(user.id, false, &cli).await?;
            println!("disabled {}; its sessions ended", user.username);
        }
        UserCommand::Enable { name } => {
            let user = find(store, &name).await?;
            store.set_user_enabled(user.id, true, &cli).await?;
            println!("enabled {}", user.username);
        }
        UserCommand::ResetPassword { name } => {
            let user = find(store, &name).await?;
            let pw = read_new_password(&user.username)?;
            let hash = password::hash(pw).await?;
            store.set_password(user.id, &hash, &cli).await?;
            println!("password of {} set; its sessions ended", user.username);
        }
    }
    Ok(())
}

async fn find(store: &dyn Store, name: &str) -> Result<crate::store::User> {
    store
        .user_by_name(name)
        .await?
        .with_context(|| format!("no account is named {name:?}"))
}

/// Reads and checks a new password: twice without echo from a terminal, else the first
/// line of standard input.
fn read_new_password(name: &str) -> Result<String> {
    let pw = if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password(format!("New password for {name}: "))
            .context("cannot read the password from the terminal")?;
        check_password(&first).map_err(|e| anyhow::anyhow!("password: {e}"))?;
        let second = rpassword::prompt_password("Repeat it: ")
            .context("cannot read the password from the terminal")?;
        if first != second {
            bail!("the two passwords differ; nothing changed");
        }
        first
    } else {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .context("cannot read the password from standard input")?;
        let pw = line.strip_suffix('\n').unwrap_or(&line);
        pw.strip_suffix('\r').unwrap_or(pw).to_string()
    };
    check_password(&pw).map_err(|e| anyhow::anyhow!("password: {e}; nothing changed"))?;
    Ok(pw)
}
