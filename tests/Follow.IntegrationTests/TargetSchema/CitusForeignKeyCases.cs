namespace Follow.IntegrationTests.TargetSchema;

/// <summary>A key the planner refuses: the source, the rules, what the refusal says, and the same key tried on Citus itself.</summary>
/// <param name="Citus">The tables as the target would have them and their distribution calls; its last statement adds the key.</param>
/// <param name="CitusError">What Citus says (message or detail) when the key is added.</param>
internal sealed record RefusedKeyCase(string Name, string Source, string Rules, string Problem, string Citus, string CitusError)
{
    public override string ToString() => Name;
}

/// <summary>
/// Every kind of foreign key between distributed, reference and local tables, with the action variants Citus
/// treats differently (commands/foreign_constraint.c): those the plan creates, and those it refuses.
/// </summary>
internal static class CitusForeignKeyCases
{
    /// <summary>Every key the plan accepts, in one schema; the comments say what each becomes.</summary>
    public const string AcceptedSource = """
        CREATE TABLE companies (id bigint PRIMARY KEY);
        CREATE TABLE campaigns (id bigint PRIMARY KEY, company_id bigint NOT NULL REFERENCES companies (id), parent_id bigint,
            CONSTRAINT campaigns_parent_fkey FOREIGN KEY (parent_id) REFERENCES campaigns (id) ON DELETE CASCADE);
        -- distributed → distributed: company_id put first on both sides; the ON UPDATE actions become NO ACTION
        CREATE TABLE ads_no_action (id bigint PRIMARY KEY, campaign_id bigint REFERENCES campaigns (id));
        CREATE TABLE ads_restrict (id bigint PRIMARY KEY, campaign_id bigint REFERENCES campaigns (id) ON UPDATE RESTRICT ON DELETE RESTRICT);
        CREATE TABLE ads_cascade (id bigint PRIMARY KEY, campaign_id bigint REFERENCES campaigns (id) ON DELETE CASCADE);
        CREATE TABLE ads_update_cascade (id bigint PRIMARY KEY, campaign_id bigint REFERENCES campaigns (id) ON UPDATE CASCADE);
        CREATE TABLE ads_update_set_null (id bigint PRIMARY KEY, campaign_id bigint REFERENCES campaigns (id) ON UPDATE SET NULL);
        CREATE TABLE ads_update_set_default (id bigint PRIMARY KEY, campaign_id bigint REFERENCES campaigns (id) ON UPDATE SET DEFAULT);
        -- reference → reference with actions, reference → local without
        CREATE TABLE regions (code text PRIMARY KEY);
        CREATE TABLE currencies (code text PRIMARY KEY);
        CREATE TABLE countries (code text PRIMARY KEY,
            region text REFERENCES regions (code) ON UPDATE CASCADE ON DELETE SET NULL,
            currency text REFERENCES currencies (code) ON UPDATE RESTRICT ON DELETE RESTRICT);
        -- distributed → reference, the key holding the distribution column (pagila's inventory → store)
        CREATE TABLE store (store_id bigint PRIMARY KEY);
        CREATE TABLE inventory_no_action (id bigint PRIMARY KEY, store_id bigint NOT NULL REFERENCES store (store_id));
        CREATE TABLE inventory_delete_cascade (id bigint PRIMARY KEY, store_id bigint NOT NULL REFERENCES store (store_id) ON UPDATE RESTRICT ON DELETE CASCADE);
        CREATE TABLE inventory_update_cascade (id bigint PRIMARY KEY, store_id bigint NOT NULL REFERENCES store (store_id) ON UPDATE CASCADE ON DELETE RESTRICT);
        CREATE TABLE inventory_update_set_null (id bigint PRIMARY KEY, store_id bigint REFERENCES store (store_id) ON UPDATE SET NULL);
        CREATE TABLE inventory_update_set_default (id bigint PRIMARY KEY, store_id bigint REFERENCES store (store_id) ON UPDATE SET DEFAULT);
        -- distributed → reference, without the distribution column: every action
        CREATE TABLE offices_set_null (id bigint PRIMARY KEY, company_id bigint REFERENCES companies (id),
            country text REFERENCES countries (code) ON UPDATE CASCADE ON DELETE SET NULL);
        CREATE TABLE offices_set_default (id bigint PRIMARY KEY, company_id bigint REFERENCES companies (id),
            country text DEFAULT 'ZZ' REFERENCES countries (code) ON UPDATE SET DEFAULT ON DELETE SET DEFAULT);
        CREATE TABLE offices_cascade (id bigint PRIMARY KEY, company_id bigint REFERENCES companies (id),
            country text REFERENCES countries (code) ON UPDATE SET NULL ON DELETE CASCADE);
        -- local → reference and local → local (Citus makes them Citus local tables), every action
        CREATE TABLE admins (id bigint PRIMARY KEY);
        CREATE TABLE audit (id bigint PRIMARY KEY,
            country text REFERENCES countries (code) ON UPDATE CASCADE ON DELETE SET NULL,
            admin_id bigint REFERENCES admins (id) ON DELETE CASCADE);
        CREATE TABLE audit_default (id bigint PRIMARY KEY, country text DEFAULT 'ZZ' REFERENCES countries (code) ON UPDATE SET DEFAULT ON DELETE SET DEFAULT);
        -- local → local, tied to no reference table: Citus leaves them alone, SET DEFAULT on a sequence included
        CREATE TABLE owners (id bigint PRIMARY KEY);
        CREATE TABLE jobs (id bigint PRIMARY KEY, owner_id bigserial REFERENCES owners (id) ON DELETE SET DEFAULT);
        """;

    public const string AcceptedRules = """
        distribute companies using id
        distribute regions as reference table
        distribute countries as reference table
        distribute store as reference table
        distribute inventory_no_action using store_id
        distribute inventory_delete_cascade using store_id
        distribute inventory_update_cascade using store_id
        distribute inventory_update_set_null using store_id
        distribute inventory_update_set_default using store_id
        """;

    /// <summary>Every key of <see cref="AcceptedSource"/> as Citus must hold it: columns and pg_constraint's action letters.</summary>
    public static readonly (string Table, string Key, string Columns, string Referenced, char OnUpdate, char OnDelete)[] AcceptedKeys =
    [
        ("ads_cascade", "ads_cascade_campaign_id_fkey", "company_id,campaign_id", "campaigns(company_id,id)", 'a', 'c'),
        ("ads_no_action", "ads_no_action_campaign_id_fkey", "company_id,campaign_id", "campaigns(company_id,id)", 'a', 'a'),
        ("ads_restrict", "ads_restrict_campaign_id_fkey", "company_id,campaign_id", "campaigns(company_id,id)", 'r', 'r'),
        ("ads_update_cascade", "ads_update_cascade_campaign_id_fkey", "company_id,campaign_id", "campaigns(company_id,id)", 'a', 'a'),
        ("ads_update_set_default", "ads_update_set_default_campaign_id_fkey", "company_id,campaign_id", "campaigns(company_id,id)", 'a', 'a'),
        ("ads_update_set_null", "ads_update_set_null_campaign_id_fkey", "company_id,campaign_id", "campaigns(company_id,id)", 'a', 'a'),
        ("audit", "audit_admin_id_fkey", "admin_id", "admins(id)", 'a', 'c'),
        ("audit", "audit_country_fkey", "country", "countries(code)", 'c', 'n'),
        ("audit_default", "audit_default_country_fkey", "country", "countries(code)", 'd', 'd'),
        ("campaigns", "campaigns_company_id_fkey", "company_id", "companies(id)", 'a', 'a'),
        ("campaigns", "campaigns_parent_fkey", "company_id,parent_id", "campaigns(company_id,id)", 'a', 'c'),
        ("countries", "countries_currency_fkey", "currency", "currencies(code)", 'r', 'r'),
        ("countries", "countries_region_fkey", "region", "regions(code)", 'c', 'n'),
        ("inventory_delete_cascade", "inventory_delete_cascade_store_id_fkey", "store_id", "store(store_id)", 'r', 'c'),
        ("inventory_no_action", "inventory_no_action_store_id_fkey", "store_id", "store(store_id)", 'a', 'a'),
        ("inventory_update_cascade", "inventory_update_cascade_store_id_fkey", "store_id", "store(store_id)", 'a', 'r'),
        ("inventory_update_set_default", "inventory_update_set_default_store_id_fkey", "store_id", "store(store_id)", 'a', 'a'),
        ("inventory_update_set_null", "inventory_update_set_null_store_id_fkey", "store_id", "store(store_id)", 'a', 'a'),
        ("jobs", "jobs_owner_id_fkey", "owner_id", "owners(id)", 'a', 'd'),
        ("offices_cascade", "offices_cascade_company_id_fkey", "company_id", "companies(id)", 'a', 'a'),
        ("offices_cascade", "offices_cascade_country_fkey", "country", "countries(code)", 'n', 'c'),
        ("offices_set_default", "offices_set_default_company_id_fkey", "company_id", "companies(id)", 'a', 'a'),
        ("offices_set_default", "offices_set_default_country_fkey", "country", "countries(code)", 'd', 'd'),
        ("offices_set_null", "offices_set_null_company_id_fkey", "company_id", "companies(id)", 'a', 'a'),
        ("offices_set_null", "offices_set_null_country_fkey", "country", "countries(code)", 'c', 'n'),
    ];

    private const string Ads = """
        CREATE TABLE companies (id bigint PRIMARY KEY);
        CREATE TABLE campaigns (id bigint PRIMARY KEY, company_id bigint NOT NULL REFERENCES companies (id));
        """;

    private const string CitusAds = """
        CREATE TABLE campaigns (company_id bigint, id bigint, PRIMARY KEY (company_id, id));
        CREATE TABLE ads (company_id bigint, id bigint, campaign_id bigint, PRIMARY KEY (company_id, id));
        SELECT create_distributed_table('campaigns', 'company_id');
        SELECT create_distributed_table('ads', 'company_id', colocate_with => 'campaigns');
        """;

    private const string Inventory = "CREATE TABLE store (store_id bigint PRIMARY KEY);\n";

    private const string CitusInventory = """
        CREATE TABLE store (store_id bigint PRIMARY KEY);
        CREATE TABLE inventory (store_id bigint, id bigint, PRIMARY KEY (store_id, id));
        SELECT create_reference_table('store');
        SELECT create_distributed_table('inventory', 'store_id');
        """;

    private const string InventoryRules = "distribute store as reference table\ndistribute inventory using store_id";

    private const string CitusCountries = """
        CREATE TABLE currencies (code text PRIMARY KEY);
        CREATE TABLE countries (code text PRIMARY KEY, currency text);
        SELECT create_reference_table('countries');
        """;

    private const string ReferenceRules = "distribute companies using id\ndistribute countries as reference table";

    public static readonly RefusedKeyCase[] Refused =
    [
        new("distributed → distributed, ON DELETE SET NULL",
            Ads + "CREATE TABLE ads (id bigint PRIMARY KEY, campaign_id bigint REFERENCES campaigns (id) ON DELETE SET NULL);",
            "distribute companies using id", "ads_campaign_id_fkey to public.campaigns is ON DELETE SET NULL",
            CitusAds + "ALTER TABLE ads ADD FOREIGN KEY (company_id, campaign_id) REFERENCES campaigns (company_id, id) ON DELETE SET NULL;",
            "SET NULL or SET DEFAULT is not supported in ON DELETE operation when distribution key is included in the foreign key constraint"),
        new("distributed → distributed, ON DELETE SET DEFAULT",
            Ads + "CREATE TABLE ads (id bigint PRIMARY KEY, campaign_id bigint REFERENCES campaigns (id) ON DELETE SET DEFAULT);",
            "distribute companies using id", "ads_campaign_id_fkey to public.campaigns is ON DELETE SET DEFAULT",
            CitusAds + "ALTER TABLE ads ADD FOREIGN KEY (company_id, campaign_id) REFERENCES campaigns (company_id, id) ON DELETE SET DEFAULT;",
            "SET NULL or SET DEFAULT is not supported in ON DELETE operation"),
        new("distributed → distributed, not colocated",
            Ads + "CREATE TABLE users (id uuid PRIMARY KEY);\nALTER TABLE campaigns ADD owner uuid REFERENCES users (id);",
            "distribute companies using id\ndistribute users using id\ndistribute campaigns using company_id", "campaigns_owner_fkey joins it to public.users",
            """
            CREATE TABLE users (id uuid PRIMARY KEY);
            CREATE TABLE campaigns (company_id bigint, id bigint, owner uuid, PRIMARY KEY (company_id, id));
            SELECT create_distributed_table('users', 'id');
            SELECT create_distributed_table('campaigns', 'company_id');
            ALTER TABLE campaigns ADD FOREIGN KEY (owner) REFERENCES users (id);
            """,
            "relations are not colocated"),
        new("distributed → distributed, to another tenant's row",
            "CREATE TABLE companies (id bigint PRIMARY KEY);\nCREATE TABLE transfers (id bigint PRIMARY KEY, from_company bigint REFERENCES companies (id), to_company bigint REFERENCES companies (id));",
            "distribute companies using id\ndistribute transfers using from_company", "transfers_to_company_fkey maps to_company onto public.companies's distribution column id",
            """
            CREATE TABLE companies (id bigint PRIMARY KEY);
            CREATE TABLE transfers (from_company bigint, id bigint, to_company bigint, PRIMARY KEY (from_company, id));
            SELECT create_distributed_table('companies', 'id');
            SELECT create_distributed_table('transfers', 'from_company', colocate_with => 'companies');
            ALTER TABLE transfers ADD FOREIGN KEY (to_company) REFERENCES companies (id);
            """,
            "Foreign keys are supported in two cases"),
        new("distributed → distributed, distribution column onto another column",
            Ads + "CREATE TABLE notes (id bigint PRIMARY KEY, company_id bigint, CONSTRAINT notes_campaign_fkey FOREIGN KEY (company_id) REFERENCES campaigns (id));",
            "distribute companies using id\ndistribute notes using company_id", "notes_campaign_fkey maps the distribution column company_id onto public.campaigns.id",
            """
            CREATE TABLE campaigns (company_id bigint, id bigint, PRIMARY KEY (company_id, id));
            CREATE TABLE notes (company_id bigint, id bigint, PRIMARY KEY (company_id, id));
            SELECT create_distributed_table('campaigns', 'company_id');
            SELECT create_distributed_table('notes', 'company_id', colocate_with => 'campaigns');
            ALTER TABLE notes ADD FOREIGN KEY (company_id, company_id) REFERENCES campaigns (company_id, id);
            """,
            "Foreign keys are supported in two cases"),
        new("distributed → reference holding the distribution column, ON DELETE SET NULL",
            Inventory + "CREATE TABLE inventory (id bigint PRIMARY KEY, store_id bigint REFERENCES store (store_id) ON DELETE SET NULL);",
            InventoryRules, "inventory_store_id_fkey to public.store is ON DELETE SET NULL",
            CitusInventory + "ALTER TABLE inventory ADD FOREIGN KEY (store_id) REFERENCES store (store_id) ON DELETE SET NULL;",
            "SET NULL or SET DEFAULT is not supported in ON DELETE operation"),
        new("distributed → reference holding the distribution column, ON DELETE SET DEFAULT",
            Inventory + "CREATE TABLE inventory (id bigint PRIMARY KEY, store_id bigint REFERENCES store (store_id) ON DELETE SET DEFAULT);",
            InventoryRules, "inventory_store_id_fkey to public.store is ON DELETE SET DEFAULT",
            CitusInventory + "ALTER TABLE inventory ADD FOREIGN KEY (store_id) REFERENCES store (store_id) ON DELETE SET DEFAULT;",
            "SET NULL or SET DEFAULT is not supported in ON DELETE operation"),
        new("distributed → local",
            Ads + "CREATE TABLE countries (code text PRIMARY KEY);\nALTER TABLE campaigns ADD country text REFERENCES countries (code);",
            "distribute companies using id", "campaigns_country_fkey references public.countries, which stays local",
            """
            CREATE TABLE countries (code text PRIMARY KEY);
            CREATE TABLE campaigns (company_id bigint, id bigint, country text, PRIMARY KEY (company_id, id));
            SELECT create_distributed_table('campaigns', 'company_id');
            ALTER TABLE campaigns ADD FOREIGN KEY (country) REFERENCES countries (code);
            """,
            "must be a distributed table or a reference table"),
        new("reference → distributed",
            "CREATE TABLE companies (id bigint PRIMARY KEY);\nCREATE TABLE plans (id bigint PRIMARY KEY, company_id bigint REFERENCES companies (id));",
            "distribute companies using id\ndistribute plans as reference table", "plans_company_id_fkey references the distributed table public.companies",
            """
            CREATE TABLE companies (id bigint PRIMARY KEY);
            CREATE TABLE plans (id bigint PRIMARY KEY, company_id bigint);
            SELECT create_distributed_table('companies', 'id');
            SELECT create_reference_table('plans');
            ALTER TABLE plans ADD FOREIGN KEY (company_id) REFERENCES companies (id);
            """,
            "foreign keys from reference tables and local tables to distributed tables are not supported"),
        new("reference → local, ON DELETE CASCADE",
            Ads + "CREATE TABLE currencies (code text PRIMARY KEY);\nCREATE TABLE countries (code text PRIMARY KEY, currency text REFERENCES currencies (code) ON DELETE CASCADE);",
            ReferenceRules, "countries_currency_fkey to the local table public.currencies is ON DELETE CASCADE",
            CitusCountries + "ALTER TABLE countries ADD FOREIGN KEY (currency) REFERENCES currencies (code) ON DELETE CASCADE;",
            "can only be defined with NO ACTION or RESTRICT behaviors"),
        new("reference → local, ON UPDATE SET NULL",
            Ads + "CREATE TABLE currencies (code text PRIMARY KEY);\nCREATE TABLE countries (code text PRIMARY KEY, currency text REFERENCES currencies (code) ON UPDATE SET NULL);",
            ReferenceRules, "countries_currency_fkey to the local table public.currencies is ON UPDATE SET NULL",
            CitusCountries + "ALTER TABLE countries ADD FOREIGN KEY (currency) REFERENCES currencies (code) ON UPDATE SET NULL;",
            "can only be defined with NO ACTION or RESTRICT behaviors"),
        new("SET DEFAULT on a sequence column of a distributed table",
            Ads + "CREATE TABLE countries (id bigint PRIMARY KEY);\nALTER TABLE campaigns ADD country_id bigserial REFERENCES countries (id) ON DELETE SET DEFAULT;",
            ReferenceRules, "campaigns_country_id_fkey to public.countries is ON DELETE SET DEFAULT, and column country_id defaults to a sequence",
            """
            CREATE TABLE countries (id bigint PRIMARY KEY);
            CREATE TABLE campaigns (company_id bigint, id bigint, country_id bigserial, PRIMARY KEY (company_id, id));
            SELECT create_reference_table('countries');
            SELECT create_distributed_table('campaigns', 'company_id');
            ALTER TABLE campaigns ADD FOREIGN KEY (country_id) REFERENCES countries (id) ON DELETE SET DEFAULT;
            """,
            "does not support ON DELETE / UPDATE SET DEFAULT actions on the columns that default to sequences"),
        new("SET DEFAULT on a sequence column of a local table tied to a reference table",
            Ads + """
                CREATE TABLE countries (code text PRIMARY KEY);
                CREATE TABLE admins (id bigint PRIMARY KEY);
                CREATE TABLE audit (id bigint PRIMARY KEY, country text REFERENCES countries (code), admin_id bigserial REFERENCES admins (id) ON UPDATE SET DEFAULT);
                """,
            ReferenceRules, "audit_admin_id_fkey to public.admins is ON UPDATE SET DEFAULT, and column admin_id defaults to a sequence",
            """
            CREATE TABLE countries (code text PRIMARY KEY);
            CREATE TABLE admins (id bigint PRIMARY KEY);
            CREATE TABLE audit (id bigint PRIMARY KEY, country text, admin_id bigserial);
            SELECT create_reference_table('countries');
            ALTER TABLE audit ADD FOREIGN KEY (country) REFERENCES countries (code);
            ALTER TABLE audit ADD FOREIGN KEY (admin_id) REFERENCES admins (id) ON UPDATE SET DEFAULT;
            """,
            "does not support ON DELETE / UPDATE SET DEFAULT actions on the columns that default to sequences"),
    ];
}
