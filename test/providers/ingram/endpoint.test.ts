import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '../../../src/core/errors.js';
import { type IngramEndpointInput, resolveIngramEndpoint } from '../../../src/providers/ingram/endpoint.js';

const NA = 'https://api.cloud.im/marketplace/na';
const EU = 'https://api.cloud.im/marketplace/eu';

describe('resolveIngramEndpoint: accepted forms', () => {
  const table: Array<
    [string, IngramEndpointInput, { baseUrl: string; region: string | null; marketplace: string; warned: boolean }]
  > = [
    ['region na', { region: 'na', marketplace: 'us' }, { baseUrl: NA, region: 'na', marketplace: 'us', warned: false }],
    [
      'region us means na',
      { region: 'us', marketplace: 'ca' },
      { baseUrl: NA, region: 'na', marketplace: 'ca', warned: false },
    ],
    [
      'region in capitals, spaces',
      { region: ' EU ', marketplace: ' NL ' },
      { baseUrl: EU, region: 'eu', marketplace: 'nl', warned: false },
    ],
    [
      'region eu, marketplace eu',
      { region: 'eu', marketplace: 'eu' },
      { baseUrl: EU, region: 'eu', marketplace: 'eu', warned: false },
    ],
    [
      'region uk (inferred)',
      { region: 'uk', marketplace: 'uk' },
      { baseUrl: 'https://api.cloud.im/marketplace/uk', region: 'uk', marketplace: 'uk', warned: true },
    ],
    [
      'region oc (inferred)',
      { region: 'oc', marketplace: 'au' },
      { baseUrl: 'https://api.cloud.im/marketplace/oc', region: 'oc', marketplace: 'au', warned: true },
    ],
    [
      'unknown marketplace not checked',
      { region: 'eu', marketplace: 'stg' },
      { baseUrl: EU, region: 'eu', marketplace: 'stg', warned: false },
    ],
    ['api URL', { baseUrl: EU, marketplace: 'se' }, { baseUrl: EU, region: 'eu', marketplace: 'se', warned: false }],
    [
      'api URL, trailing slash',
      { baseUrl: `${NA}/`, marketplace: 'us' },
      { baseUrl: NA, region: 'na', marketplace: 'us', warned: false },
    ],
    [
      'api URL of uk from the portal: no warning',
      { baseUrl: 'https://api.cloud.im/marketplace/uk', marketplace: 'uk' },
      { baseUrl: 'https://api.cloud.im/marketplace/uk', region: 'uk', marketplace: 'uk', warned: false },
    ],
    [
      'lab URL',
      { baseUrl: 'https://api-lab.cloud.im/marketplace/dev', marketplace: 'stg' },
      { baseUrl: 'https://api-lab.cloud.im/marketplace/dev', region: 'dev', marketplace: 'stg', warned: false },
    ],
    [
      'custom host (proxy)',
      { baseUrl: 'https://proxy.example.com/ingram/', marketplace: 'us' },
      { baseUrl: 'https://proxy.example.com/ingram', region: null, marketplace: 'us', warned: false },
    ],
    [
      'loopback http',
      { baseUrl: 'http://localhost:8080', marketplace: 'us' },
      { baseUrl: 'http://localhost:8080', region: null, marketplace: 'us', warned: false },
    ],
    [
      'custom host + region checks the marketplace',
      { baseUrl: 'https://proxy.example.com', region: 'na', marketplace: 'us' },
      { baseUrl: 'https://proxy.example.com', region: 'na', marketplace: 'us', warned: false },
    ],
    [
      'control panel host',
      { controlPanelUrl: 'cp.us.na.cloud.im' },
      { baseUrl: NA, region: 'na', marketplace: 'us', warned: false },
    ],
    [
      'control panel URL with path',
      { controlPanelUrl: 'https://cp.de.eu.cloud.im/login?x=1' },
      { baseUrl: EU, region: 'eu', marketplace: 'de', warned: false },
    ],
    [
      'control panel + same marketplace',
      { controlPanelUrl: 'cp.ca.na.cloud.im', marketplace: 'CA' },
      { baseUrl: NA, region: 'na', marketplace: 'ca', warned: false },
    ],
    [
      'control panel + agreeing region',
      { controlPanelUrl: 'cp.us.na.cloud.im', region: 'us' },
      { baseUrl: NA, region: 'na', marketplace: 'us', warned: false },
    ],
    [
      'control panel oc (inferred)',
      { controlPanelUrl: 'cp.nz.oc.cloud.im' },
      { baseUrl: 'https://api.cloud.im/marketplace/oc', region: 'oc', marketplace: 'nz', warned: true },
    ],
    [
      'all three agreeing',
      { controlPanelUrl: 'cp.nl.eu.cloud.im', region: 'eu', baseUrl: EU },
      { baseUrl: EU, region: 'eu', marketplace: 'nl', warned: false },
    ],
  ];
  for (const [name, input, want] of table) {
    it(name, () => {
      const r = resolveIngramEndpoint(input);
      expect({ baseUrl: r.baseUrl, region: r.region, marketplace: r.marketplace, warned: r.warning !== null }).toEqual(
        want,
      );
      if (want.warned) {
        expect(r.warning).toMatch(/inferred/);
        expect(r.warning).toMatch(/baseUrl/);
      }
    });
  }
});

describe('resolveIngramEndpoint: refused forms', () => {
  const table: Array<[string, unknown, RegExp, RegExp?]> = [
    ['nothing', { marketplace: 'us' }, /no region/],
    ['not an object', undefined, /required/],
    ['missing marketplace', { region: 'na' }, /marketplace is required/, /cp\.<marketplace>/],
    ['empty marketplace', { region: 'na', marketplace: '  ' }, /marketplace is empty/],
    ['marketplace not a string', { region: 'na', marketplace: 1 }, /must be a string/],
    ['garbage marketplace', { region: 'na', marketplace: 'u s!' }, /not a marketplace code/],
    ['unknown region', { region: 'apac', marketplace: 'sg' }, /unknown region "apac"/, /baseUrl/],
    ['empty region', { region: '', marketplace: 'us' }, /region is empty/],
    ['http base URL', { baseUrl: 'http://api.cloud.im/marketplace/na', marketplace: 'us' }, /https/],
    ['not a URL', { baseUrl: 'api.cloud.im/marketplace/na', marketplace: 'us' }, /not a URL/],
    ['api host, wrong path', { baseUrl: 'https://api.cloud.im/na', marketplace: 'us' }, /not a Marketplace API URL/],
    ['api URL with us', { baseUrl: 'https://api.cloud.im/marketplace/us', marketplace: 'us' }, /marketplace\/na/],
    ['query in base URL', { baseUrl: `${EU}?x=1`, marketplace: 'nl' }, /query/],
    [
      'control panel as base URL',
      { baseUrl: 'https://cp.us.na.cloud.im', marketplace: 'us' },
      /control-panel/,
      /controlPanelUrl/,
    ],
    ['bad control panel host', { controlPanelUrl: 'portal.cloud.im' }, /cp\.<marketplace>\.<region>\.cloud\.im/],
    ['control panel with one label', { controlPanelUrl: 'cp.eu.cloud.im', marketplace: 'nl' }, /not of the form/],
    ['control panel with unknown region', { controlPanelUrl: 'cp.sg.apac.cloud.im' }, /unknown region "apac"/],
    ['control panel marketplace disagrees', { controlPanelUrl: 'cp.us.na.cloud.im', marketplace: 'ca' }, /differs/],
    [
      'region and control panel disagree',
      { controlPanelUrl: 'cp.de.eu.cloud.im', region: 'na' },
      /region na but controlPanelUrl says eu/,
    ],
  ];
  for (const [name, input, message, hint] of table) {
    it(name, () => {
      let err: unknown;
      try {
        resolveIngramEndpoint(input as IngramEndpointInput);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ConfigurationError);
      const e = err as ConfigurationError;
      expect(e.message).toMatch(message);
      expect(e.provider).toBe('ingram');
      expect(e.hint).toBeTruthy();
      if (hint) expect(e.hint).toMatch(hint);
    });
  }
});

describe('inferred mappings warn, an explicit baseUrl wins (issue 17)', () => {
  const warned: Array<[string, IngramEndpointInput, string, RegExp]> = [
    ['uk marketplace on the eu URL from the portal', { baseUrl: EU, marketplace: 'uk' }, EU, /usually in region uk/],
    ['ca marketplace on the eu URL', { baseUrl: EU, marketplace: 'ca' }, EU, /usually in region na/],
    [
      'region na but the eu URL',
      { baseUrl: EU, region: 'na', marketplace: 'nl' },
      EU,
      /region says region na .*baseUrl is used/,
    ],
    ['us marketplace in eu', { region: 'eu', marketplace: 'us' }, EU, /usually in region na/],
    [
      'de marketplace in na',
      { region: 'na', marketplace: 'de' },
      'https://api.cloud.im/marketplace/na',
      /usually in region eu/,
    ],
    [
      'nl marketplace in uk',
      { region: 'uk', marketplace: 'nl' },
      'https://api.cloud.im/marketplace/uk',
      /usually in region eu.*inferred/,
    ],
  ];
  for (const [name, input, baseUrl, warning] of warned) {
    it(name, () => {
      const e = resolveIngramEndpoint(input);
      expect(e.baseUrl).toBe(baseUrl);
      expect(e.warning).toMatch(warning);
    });
  }
  it('no warning when everything agrees', () => {
    expect(resolveIngramEndpoint({ baseUrl: EU, marketplace: 'nl' }).warning).toBeNull();
  });
});
