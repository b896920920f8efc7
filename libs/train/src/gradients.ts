// tfjs-core alone registers no gradient functions (the @tensorflow/tfjs bundle does it):
// without this side-effect import tf.grad fails with "gradient function not found for Sum".
import '@tensorflow/tfjs-core/dist/register_all_gradients';
