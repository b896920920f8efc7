// tfjs-core alone registers no gradient functions, and its own register_all_gradients module
// cannot be imported by Node (ESM directory imports): @sieve/model registers the definitions
// the model, these losses and AdamW need (Softplus, Maximum, Minimum, Exp, Log, Sum, Slice, …).
import { registerGradients } from '@sieve/model';

registerGradients();
