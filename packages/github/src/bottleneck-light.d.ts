/**
 * Types of `bottleneck/light.js`, the build of Bottleneck without Redis clustering that
 * `@octokit/plugin-throttling` uses: the same API as the full build, whose types the package
 * ships for `bottleneck` only.
 */
declare module "bottleneck/light.js" {
  import Bottleneck from "bottleneck";
  export default Bottleneck;
}
