import { badRequest } from './oip-error';

/** The largest finite float32: a JSON number beyond it would silently become Infinity. */
const FP32_MAX = 3.4028234663852886e38;

/** Elements of a tensor of this shape (the product of its dimensions). */
export function elementCount(shape: readonly number[]): number {
  return shape.reduce((count, dimension) => count * dimension, 1);
}

/**
 * A request tensor's `data` as a flat row-major list. The specification allows the flat form
 * (length = the shape's element count) and the natural nested form (one array level per
 * dimension, each as long as its dimension); anything in between is refused, as a mismatch
 * between shape and data is a client error that must not be guessed around.
 */
export function flattenTensorData(data: unknown, shape: readonly number[], label: string): unknown[] {
  if (!Array.isArray(data)) throw badRequest(`${label}: data must be an array`);
  const expected = elementCount(shape);
  if (data.every((element) => !Array.isArray(element))) {
    if (data.length !== expected)
      throw badRequest(
        `${label}: data holds ${data.length} elements, shape [${shape.join(', ')}] needs ${expected}`,
      );
    return data;
  }
  const flat: unknown[] = [];
  const walk = (level: unknown, depth: number, path: string): void => {
    const dimension = shape[depth];
    if (dimension === undefined) {
      if (Array.isArray(level))
        throw badRequest(`${label}: data${path} is nested deeper than shape [${shape.join(', ')}]`);
      flat.push(level);
      return;
    }
    if (!Array.isArray(level) || level.length !== dimension)
      throw badRequest(
        `${label}: data${path} must be an array of ${dimension} for shape [${shape.join(', ')}]`,
      );
    level.forEach((element: unknown, index) => {
      walk(element, depth + 1, `${path}[${index}]`);
    });
  };
  walk(data, 0, '');
  return flat;
}

/** Flat elements as FP32: JSON numbers within float32's range, nothing coerced. */
export function toFloat32(elements: readonly unknown[], label: string): Float32Array {
  const values = new Float32Array(elements.length);
  elements.forEach((element, index) => {
    if (typeof element !== 'number')
      throw badRequest(`${label}: element ${index} is ${JSON.stringify(element)}, FP32 needs a number`);
    if (!Number.isFinite(element) || Math.abs(element) > FP32_MAX)
      throw badRequest(`${label}: element ${index} (${element}) is outside the FP32 range`);
    values[index] = element;
  });
  return values;
}
