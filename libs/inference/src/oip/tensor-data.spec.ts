import examples from './fixtures/spec-examples.json';
import { OipError } from './oip-error';
import { elementCount, flattenTensorData, toFloat32 } from './tensor-data';

const { tensorData } = examples;

function refusal(run: () => unknown): { status: number; message: string } {
  try {
    run();
  } catch (error) {
    if (error instanceof OipError) return { status: error.status, message: error.message };
    throw error;
  }
  throw new Error('expected an OipError');
}

describe('flattenTensorData', () => {
  it("should read the specification's natural and flattened forms of the same matrix alike", () => {
    expect(flattenTensorData(tensorData.natural, tensorData.shape, 'x')).toEqual(tensorData.flattened);
    expect(flattenTensorData(tensorData.flattened, tensorData.shape, 'x')).toEqual(tensorData.flattened);
  });

  it('should keep row-major order for a nested tensor of rank 3', () => {
    const data = [
      [
        [1, 2],
        [3, 4],
      ],
      [
        [5, 6],
        [7, 8],
      ],
    ];
    expect(flattenTensorData(data, [2, 2, 2], 'x')).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('should refuse flat data whose length is not the element count', () => {
    expect(refusal(() => flattenTensorData([1, 2, 3], [2, 2], 'input a'))).toEqual({
      status: 400,
      message: 'input a: data holds 3 elements, shape [2, 2] needs 4',
    });
  });

  it('should refuse nested data that does not follow the shape', () => {
    expect(refusal(() => flattenTensorData([[1, 2], [3]], [2, 2], 'x')).message).toBe(
      'x: data[1] must be an array of 2 for shape [2, 2]',
    );
    expect(refusal(() => flattenTensorData([[1, 2], 3, 4], [2, 2], 'x')).message).toBe(
      'x: data must be an array of 2 for shape [2, 2]',
    );
    expect(refusal(() => flattenTensorData([[[1], [2]]], [1, 2], 'x')).message).toBe(
      'x: data[0][0] is nested deeper than shape [1, 2]',
    );
  });

  it('should refuse data that is not an array', () => {
    expect(refusal(() => flattenTensorData({ 0: 1 }, [1], 'x')).message).toBe('x: data must be an array');
  });
});

describe('toFloat32', () => {
  it('should keep numbers at float32 precision', () => {
    expect(Array.from(toFloat32([0.1, -2, 3e38], 'x'))).toEqual([Math.fround(0.1), -2, Math.fround(3e38)]);
  });

  it('should refuse strings, booleans and nulls rather than coerce them', () => {
    expect(refusal(() => toFloat32([1, '2'], 'x')).message).toBe('x: element 1 is "2", FP32 needs a number');
    expect(refusal(() => toFloat32([true], 'x')).message).toBe('x: element 0 is true, FP32 needs a number');
    expect(refusal(() => toFloat32([null], 'x')).status).toBe(400);
  });

  it('should refuse a number beyond the float32 range', () => {
    expect(refusal(() => toFloat32([1e39], 'x')).message).toBe(
      'x: element 0 (1e+39) is outside the FP32 range',
    );
  });
});

describe('elementCount', () => {
  it('should multiply the dimensions', () => {
    expect(elementCount([2, 85])).toBe(170);
    expect(elementCount([3, 0])).toBe(0);
  });
});
