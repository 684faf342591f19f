use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::commands;

/// Forma : gestion des formations d'un organisme de formation (catalogue, sessions, Qualiopi).
#[derive(Debug, Parser)]
#[command(name = "forma", version)]
pub struct Cli {
    /// Base de données : sqlite://FICHIER (créé s'il n'existe pas) ou postgres://…
    #[arg(long, global = true, env = "FORMA_DATABASE_URL", default_value = "sqlite://forma.db")]
    pub db: String,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Démarre le site public et l'API.
    Serve {
        /// Adresse d'écoute (port 0 : un port libre est choisi et affiché).
        #[arg(long, env = "FORMA_ADDR", default_value = "127.0.0.1:8080")]
        addr: SocketAddr,
        /// Charge le catalogue de démonstration si la base est vide.
        #[arg(long)]
        demo: bool,
        /// Adresse publique du site (https://…), acceptée comme origine des formulaires.
        #[arg(long, env = "FORMA_PUBLIC_URL")]
        public_url: Option<String>,
        /// Nom de l'organisme de formation affiché sur les pages.
        #[arg(long, env = "FORMA_ORGANISATION_NAME", default_value = "EGOC")]
        organisation: String,
        /// Serveur SMTP des messages (smtp://hôte:25, smtp://hôte:587?tls=required, smtps://utilisateur:mot-de-passe@hôte:465).
        /// Sans serveur, les messages restent dans la file d'envoi.
        #[arg(long, env = "FORMA_SMTP_URL")]
        smtp_url: Option<String>,
        /// Expéditeur des messages (« EGOC <formation@exemple.org> »).
        #[arg(long, env = "FORMA_MAIL_FROM", default_value = "Forma <forma@localhost>")]
        mail_from: String,
    },
    /// Comptes : création avec lien personnel.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Jetons d'API : création (le jeton est affiché une seule fois).
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// Importe des pages de catalogue (format de la fiche d'origine) ; tout ou rien.
    Import {
        /// Fichiers texte à importer.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Vérifie l'indicateur 1 Qualiopi de chaque fiche : éléments manquants, MAJ de plus de 12 mois.
    Check {
        /// Date de référence (AAAA-MM-JJ), aujourd'hui par défaut.
        #[arg(long)]
        today: Option<chrono::NaiveDate>,
        /// Sortie JSON (une ligne par fiche) plutôt que texte.
        #[arg(long)]
        json: bool,
    },
    /// Charge les données de démonstration (catalogue et sessions) ; sans effet si déjà chargées.
    Demo,
    /// Vérifie les chaînes d'émargement (signatures horodatées chaînées) et signale chaque anomalie.
    Verify,
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Crée un compte et affiche son lien personnel (choix du mot de passe, ou accès stagiaire).
    Add {
        /// Adresse e-mail (identifiant de connexion).
        #[arg(long)]
        email: String,
        /// Profil : admin, gestionnaire, formateur, client ou stagiaire.
        #[arg(long)]
        role: String,
        /// Prénom et nom.
        #[arg(long)]
        name: String,
        /// Pour un compte client : le nom du client (créé s'il n'existe pas).
        #[arg(long)]
        client: Option<String>,
        /// Envoie aussi le lien par e-mail (file d'envoi).
        #[arg(long)]
        mail: bool,
        /// Adresse publique du site, pour le lien.
        #[arg(long, env = "FORMA_PUBLIC_URL", default_value = "http://127.0.0.1:8080")]
        public_url: String,
        /// Nom de l'organisme dans le message.
        #[arg(long, env = "FORMA_ORGANISATION_NAME", default_value = "EGOC")]
        organisation: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Crée un jeton d'API et l'affiche (seule son empreinte est conservée).
    Add {
        /// Nom du jeton (l'outil qui l'utilise), inscrit au journal.
        #[arg(long)]
        name: String,
        /// Portée : programs:write, programs:publish (option répétable).
        #[arg(long = "scope", required = true)]
        scopes: Vec<String>,
    },
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Serve { addr, demo, public_url, organisation, smtp_url, mail_from } => {
            let mail = smtp_url.map(|url| forma_mail::MailConfig::new(url, mail_from));
            commands::serve::run(&cli.db, addr, demo, public_url, organisation, mail).await
        }
        Command::Token { command: TokenCommand::Add { name, scopes } } => commands::token::add(&cli.db, &name, &scopes).await,
        Command::User { command: UserCommand::Add { email, role, name, client, mail, public_url, organisation } } => {
            commands::user::add(&cli.db, commands::user::AddUser { email, role, name, client, mail, public_url, organisation }).await
        }
        Command::Import { files } => commands::import::run(&cli.db, &files).await,
        Command::Check { today, json } => commands::check::run(&cli.db, today, json).await,
        Command::Demo => commands::demo::run(&cli.db).await,
        Command::Verify => commands::verify::run(&cli.db).await,
    }
}
