/** Types of overhead-fixture.mjs (plain JavaScript so the per-call scripts run on `node` without tsx). */
export declare const CUSTOMER_ID: string;
export declare const PRODUCT_ID: string;
export declare const REF: { customerId: string; subscriptionId: string };
export declare function sub(id: string, companyId?: string): Record<string, unknown>;
export declare const body: string;
export declare const token: string;
export declare function warmPax8Client(file: string, fetch: typeof globalThis.fetch): Promise<unknown>;
