//! `promo-client`: a small command line on the generated client
//! (`promo_api::client::Client`), for a Stripe-compatible server such as the
//! reference `promo-server`. `demo` walks the whole flow: create a coupon,
//! create a promotion code for it, retrieve it, update its metadata, and list
//! every code through the auto-paginating stream.

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use futures_util::TryStreamExt;
use promo_api::client::{Client, ClientError};
use promo_api::params::{
    CreateCoupon, CreatePromotionCode, CreatePromotionCodePromotion, ListPromotionCodes,
    RetrievePromotionCode, UpdatePromotionCode,
};
use promo_api::routes::{Coupons, PromotionCodes};
use promo_api::runtime::{ClearableMap, Expandable};

#[derive(Parser)]
#[command(
    name = "promo-client",
    about = "Promotion codes through the generated Rust client"
)]
struct Cli {
    /// The server's base URL.
    #[arg(long, default_value = "http://127.0.0.1:12111")]
    base_url: String,
    /// The secret API key.
    #[arg(long, default_value = "sk_test_promo_client")]
    api_key: String,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Create a coupon, a code for it, retrieve it, set metadata, list all codes.
    Demo {
        /// The customer-facing code to create (blank: the server makes one up).
        #[arg(long, default_value = "")]
        code: String,
    },
    /// List every promotion code, newest first, across all pages.
    List {
        /// Page size used while paging.
        #[arg(long, default_value_t = 10)]
        page_size: i64,
    },
    /// Set (`key=value`) or unset (`key=`) metadata keys of a promotion code.
    SetMetadata {
        id: String,
        #[arg(required = true)]
        pairs: Vec<String>,
    },
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let client = Client::new(cli.api_key).with_base_url(cli.base_url);
    let result = match cli.command {
        Command::Demo { code } => demo(&client, code).await,
        Command::List { page_size } => list(&client, page_size).await,
        Command::SetMetadata { id, pairs } => set_metadata(&client, id, &pairs).await,
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn demo(client: &Client, code: String) -> Result<(), ClientError> {
    let coupon = Coupons::create(
        client,
        CreateCoupon::new()
            .percent_off(25.5)
            .duration("repeating")
            .duration_in_months(3),
    )
    .await?;
    println!(
        "created coupon {} ({}% off)",
        coupon.id,
        coupon.percent_off.as_ref().copied().unwrap_or_default()
    );

    let mut create = CreatePromotionCode::new(CreatePromotionCodePromotion::new(
        "coupon",
        coupon.id.clone(),
    ));
    if !code.is_empty() {
        create = create.code(code);
    }
    let promo = PromotionCodes::create(client, create).await?;
    println!(
        "created promotion code {} with code {}",
        promo.id, promo.code
    );

    let fetched = PromotionCodes::retrieve(
        client,
        promo.id.clone(),
        RetrievePromotionCode::new().expand(vec!["promotion.coupon".to_owned()]),
    )
    .await?;
    if let Some(Expandable::Object(coupon)) = fetched.promotion.coupon.as_ref() {
        println!(
            "retrieved {}: its coupon {} is expanded, valid = {}",
            fetched.id, coupon.id, coupon.valid
        );
    }

    let updated = PromotionCodes::update(
        client,
        promo.id.clone(),
        UpdatePromotionCode::new().metadata([("order_id", "6735")]),
    )
    .await?;
    println!(
        "updated metadata of {}: {:?}",
        updated.id,
        updated.metadata.as_ref()
    );

    list(client, 10).await
}

async fn list(client: &Client, page_size: i64) -> Result<(), ClientError> {
    let codes: Vec<_> = client
        .list_promotion_codes_auto(ListPromotionCodes::new().limit(page_size))
        .try_collect()
        .await?;
    println!("{} promotion code(s):", codes.len());
    for code in codes {
        println!(
            "  {}  {:<12} active={} created={}",
            code.id, code.code, code.active, code.created
        );
    }
    Ok(())
}

async fn set_metadata(client: &Client, id: String, pairs: &[String]) -> Result<(), ClientError> {
    let mut metadata = ClearableMap::new();
    for pair in pairs {
        metadata = match pair.split_once('=') {
            Some((key, "")) => metadata.unset(key),
            Some((key, value)) => metadata.set(key, value),
            None => metadata.unset(pair.as_str()),
        };
    }
    let updated =
        PromotionCodes::update(client, id, UpdatePromotionCode::new().metadata(metadata)).await?;
    println!(
        "metadata of {}: {:?}",
        updated.id,
        updated.metadata.as_ref()
    );
    Ok(())
}
