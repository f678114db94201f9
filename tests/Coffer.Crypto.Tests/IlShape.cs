using System.Reflection;
using System.Reflection.Emit;

namespace Coffer.Crypto.Tests;

/// <summary>
/// Reads a compiled method's IL and lists what would make its timing depend on its operands: a
/// conditional branch (the time taken differs with the condition) or a load from an array, a
/// pointer or a static field (a table lookup, whose time differs with the cache lines the index
/// touches). Unconditional jumps (a Debug build's jump to the return) depend on nothing.
/// </summary>
internal static class IlShape
{
    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!)
        .ToDictionary(o => o.Value);

    /// <summary>The instructions of <paramref name="method"/> that branch on a condition, index a table or call outside <paramref name="allowedCallees"/>.</summary>
    public static List<string> OperandDependentInstructions(MethodInfo method, Type allowedCallees)
    {
        var il = method.GetMethodBody()!.GetILAsByteArray()!;
        var found = new List<string>();
        for (var at = 0; at < il.Length;)
        {
            var start = at;
            short value = il[at++];
            if (value == 0xFE)
            {
                value = unchecked((short)(0xFE00 | il[at++]));
            }

            var opCode = OpCodesByValue[value];
            var operand = at;
            at += OperandSize(opCode, il, at);
            var name = opCode.Name!;
            if (opCode.FlowControl == FlowControl.Cond_Branch
                || name.StartsWith("ldelem", StringComparison.Ordinal) || name.StartsWith("ldsfld", StringComparison.Ordinal)
                || name == "ldelema" || name == "ldobj" || name.StartsWith("ldind", StringComparison.Ordinal))
            {
                found.Add($"{method.Name}+{start:X4}: {name}");
            }
            else if (opCode.FlowControl == FlowControl.Call)
            {
                var callee = method.Module.ResolveMethod(BitConverter.ToInt32(il, operand));
                if (callee?.DeclaringType != allowedCallees)
                {
                    found.Add($"{method.Name}+{start:X4}: {name} {callee?.DeclaringType?.Name}.{callee?.Name}");
                }
            }
        }

        return found;
    }

    private static int OperandSize(OpCode opCode, byte[] il, int at) => opCode.OperandType switch
    {
        OperandType.InlineNone => 0,
        OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
        OperandType.InlineVar => 2,
        OperandType.InlineI8 or OperandType.InlineR => 8,
        OperandType.InlineSwitch => 4 + (4 * BitConverter.ToInt32(il, at)),
        _ => 4,
    };
}
