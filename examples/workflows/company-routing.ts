/**
 * Company routing: import companies from a CSV with a `marketplace_ids` column, see every bad row with its line
 * number, and pick the marketplace for each company by preference order.
 * Run: npx tsx examples/workflows/company-routing.ts
 */
import { PAX8_SEED_IDS } from '../../src/testing/index.js';
import { formatMarketplaceId, parseCompaniesCsv } from '../../src/workflows/index.js';
import { startFakes } from './fakes.js';

const csv = `id,name,marketplace_ids
1,Contoso Ltd,"SHERWEB:8812, PAX8:${PAX8_SEED_IDS.contoso}"
2,Fabrikam,D_AND_H:100234;INGRAM_MICRO:CUST-77
3,Northwind,PAX8:not-a-uuid
4,Litware,
5,Tailspin,FOO:12
`;

const { companies, errors } = parseCompaniesCsv(csv);
console.log(`Imported ${companies.length} companies; ${errors.length} rows refused:`);
for (const e of errors) console.log(`  line ${e.line}: ${e.reason}`);

const fakes = startFakes();
console.log('\nRouting (configured: pax8 only):');
for (const company of companies) {
  try {
    const choice = fakes.marketplaces.forCompany(company);
    console.log(`  ${company.name} -> ${formatMarketplaceId(choice.marketplaceId)}\n    why: ${choice.reason}`);
  } catch (error) {
    console.log(`  ${company.name} -> none: ${(error as Error).message}`);
  }
}
fakes.stop();
