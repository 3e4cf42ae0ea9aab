namespace Follow.Model;

public enum ValueKind : byte { Null, UnchangedToast, Text }
