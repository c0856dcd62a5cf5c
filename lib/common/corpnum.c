/*
 * Corporate numbers (法人番号): the 13-digit number and its check digit, checked the same way
 * by the policy loader, the request parser and the store. Common layer.
 */
#include "corpnum.h"

/* 法人番号: 13 digits, the first a check digit over the other twelve:
 * check = 9 - (sum of P_n * Q_n mod 9), P_n the n-th base digit counted from the right,
 * Q_n = 1 for odd n and 2 for even n. */
bool hogo__corporate_number_valid(const char *s, size_t len)
{
    if (len != 13)
        return false;
    for (size_t i = 0; i < 13; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    int sum = 0;
    for (int n = 1; n <= 12; n++) {
        int digit = s[13 - n] - '0';
        sum += digit * (n % 2 ? 1 : 2);
    }
    return s[0] - '0' == 9 - sum % 9;
}
