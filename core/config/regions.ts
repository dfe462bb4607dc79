/**
 * The regions where MPS offers fingerprint (DNA) libraries, to catch a misspelt region before it is pinned in
 * state for the library's life.
 *
 * Sources (Alibaba Cloud public documentation, read 2025): the MPS "Endpoints" page of API mts 2014-06-18 lists
 * the public MPS regions (`MPS_REGIONS`); the media fingerprint feature matrix lists cn-beijing, cn-hangzhou,
 * cn-shanghai, ap-southeast-1 (Singapore), ap-southeast-5 (Jakarta) and ap-south-1 (Mumbai); the file-delete
 * reference names Beijing, Hangzhou, Shanghai and Singapore. The sources disagree on Mumbai, which the current
 * endpoint page no longer lists: it is kept, because refusing a region where the feature may exist is worse than
 * a warning that never comes. Text libraries (ModelId 11) exist only in cn-shanghai.
 *
 * The list only ever produces a check failure for a value one or two edits from a listed region (a typo); any
 * other unlisted value is a warning, because Alibaba adds regions and the list here can lag behind.
 */
export const FINGERPRINT_REGIONS: readonly string[] = [
  "cn-beijing",
  "cn-hangzhou",
  "cn-shanghai",
  "ap-southeast-1",
  "ap-southeast-5",
  "ap-south-1",
];

/** Public MPS regions per the endpoint page; those not in `FINGERPRINT_REGIONS` have no documented fingerprinting. */
export const MPS_REGIONS: readonly string[] = [
  "cn-qingdao",
  "cn-beijing",
  "cn-zhangjiakou",
  "cn-hangzhou",
  "cn-shanghai",
  "cn-shenzhen",
  "cn-hongkong",
  "ap-northeast-1",
  "ap-southeast-1",
  "ap-southeast-5",
  "eu-central-1",
  "us-west-1",
  "eu-west-1",
];

/** What is wrong with a region id, if anything. */
export type RegionFinding =
  /** Not a region, but close to one: almost certainly a typo. */
  | { kind: "misspelt"; suggestion: string }
  /** An MPS region whose documentation does not list fingerprint libraries. */
  | { kind: "no-fingerprint" }
  /** Not a region this package knows; may be one added after this list was written. */
  | { kind: "unlisted" };

/** Edits within which an unlisted value is taken for a misspelling of a listed region. */
const MAX_TYPO_EDITS = 2;

/** Undefined for a region with fingerprint libraries; otherwise what is wrong with `region`. */
export function regionFinding(region: string): RegionFinding | undefined {
  if (FINGERPRINT_REGIONS.includes(region)) return undefined;
  if (MPS_REGIONS.includes(region)) return { kind: "no-fingerprint" };
  const suggestion = nearestRegion(region.trim().toLowerCase());
  return suggestion ? { kind: "misspelt", suggestion } : { kind: "unlisted" };
}

/** The text of a check failure or error for a misspelt region, naming where the value came from. */
export function misspeltRegionText(source: string, region: string, suggestion: string): string {
  return `${source} ${JSON.stringify(region)} is not an MPS region id: did you mean ${JSON.stringify(suggestion)}?`;
}

/** The text of a warning for a region without documented fingerprint libraries (or one not known here). */
export function unlistedRegionText(source: string, region: string, finding: RegionFinding): string {
  const what =
    finding.kind === "no-fingerprint"
      ? "MPS offers no fingerprint libraries there according to its documentation"
      : "it is not a region this package knows";
  return (
    `${source} ${JSON.stringify(region)}: MPS documents fingerprint libraries only in ` +
    `${FINGERPRINT_REGIONS.join(", ")}, and ${what}. Creating a library there may fail; if the region is new, ` +
    "ignore this warning."
  );
}

/**
 * The listed region meant by a near miss: the same id in another case or with stray spaces, the id without its
 * `cn-`/`ap-` prefix ("hangzhou"), or one within `MAX_TYPO_EDITS` edits of exactly one region.
 */
function nearestRegion(value: string): string | undefined {
  const regions = [...new Set([...FINGERPRINT_REGIONS, ...MPS_REGIONS])];
  const exact = regions.find((r) => r === value || r.endsWith(`-${value}`));
  if (exact) return exact;
  const near = regions
    .map((region) => ({ region, distance: editDistance(value, region) }))
    .filter((c) => c.distance <= MAX_TYPO_EDITS)
    .sort((a, b) => a.distance - b.distance);
  if (near.length === 0) return undefined;
  // Two regions equally close ("ap-southeast-3" is one edit from both -1 and -5): a guess would mislead.
  if (near.length > 1 && near[1].distance === near[0].distance) return undefined;
  return near[0].region;
}

/** Levenshtein distance. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(
        previous[j] + 1,
        current[j - 1] + 1,
        previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    previous = current;
  }
  return previous[b.length];
}
