//! `forma user add`: an account created from the command line, its personal link printed.

use anyhow::{Context, bail};
use forma_domain::account::{Email, Role};
use forma_store::{NewUser, Store};

use super::cli_actor;

pub struct AddUser {
    pub email: String,
    pub role: String,
    pub name: String,
    pub client: Option<String>,
    pub mail: bool,
    pub public_url: String,
    pub organisation: String,
}

pub async fn add(db: &str, args: AddUser) -> anyhow::Result<()> {
    let email = Email::parse(&args.email).map_err(|e| anyhow::anyhow!("{e}"))?;
    let Some(role) = Role::parse(&args.role) else {
        bail!("profil inconnu « {} » : admin, gestionnaire, formateur, client ou stagiaire", args.role);
    };
    let name = args.name.trim().to_owned();
    if name.is_empty() {
        bail!("le nom est obligatoire (--name « Prénom Nom »)");
    }
    let actor = cli_actor("user");
    let store = Store::connect(db).await?;
    let client_id = match (role, args.client.as_deref().map(str::trim)) {
        (Role::Client, Some(client)) if !client.is_empty() => Some(match store.client_by_name(client).await? {
            Some(found) => found.id,
            None => store.create_client(client, &actor).await?,
        }),
        (Role::Client, _) => bail!("un compte client est rattaché à un client : --client « CAF de l'Allier »"),
        (_, Some(_)) => bail!("--client ne vaut que pour le profil client"),
        (_, None) => None,
    };
    let user = NewUser { email, name, role, client_id };
    let invitation = forma_web::auth::invitation::invite(&store, &args.public_url, &args.organisation, &user, args.mail, &actor)
        .await
        .context("création du compte")?;
    store.close().await;
    let what = if role.uses_password() { "choisir le mot de passe" } else { "entrer dans l'espace stagiaire" };
    println!("Compte créé : {} ({})", user.email, role.label());
    println!("Lien personnel pour {what}, valable jusqu'au {} :", forma_web::auth::invitation::until(invitation.valid_until));
    println!("{}", invitation.link);
    if args.mail {
        println!("Le lien part aussi par e-mail (file d'envoi).");
    }
    Ok(())
}
